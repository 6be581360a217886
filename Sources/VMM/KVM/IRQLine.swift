import CKVM

/// An interrupt as `KVM_IRQ_LINE` names it on arm64: `vcpu2[31:28] type[27:24] vcpu[23:16] num[15:0]`.
public struct IRQLine: Hashable, Sendable, CustomStringConvertible {
    /// The interrupt kinds KVM_IRQ_LINE distinguishes.
    public enum Kind: UInt32, Sendable {
        /// The vCPU's IRQ/FIQ pins, without an in-kernel irqchip.
        case cpu = 0
        /// A shared peripheral interrupt: `number` is the INTID (32...1019).
        case spi = 1
        /// A private peripheral interrupt of `vcpu`: `number` is the INTID (16...31).
        case ppi = 2
    }

    public let kind: Kind
    public let vcpu: Int
    public let number: UInt16

    /// A shared peripheral interrupt by INTID.
    public static func spi(intid: UInt16) -> IRQLine { IRQLine(kind: .spi, vcpu: 0, number: intid) }
    /// A private peripheral interrupt of one vCPU by INTID.
    public static func ppi(intid: UInt16, vcpu: Int) -> IRQLine { IRQLine(kind: .ppi, vcpu: vcpu, number: intid) }

    public init(kind: Kind, vcpu: Int, number: UInt16) {
        self.kind = kind
        self.vcpu = vcpu
        self.number = number
    }

    /// The 32-bit `irq` field. vCPU indexes above 255 spill into `vcpu2`.
    public var encoded: UInt32 {
        let index = UInt32(truncatingIfNeeded: vcpu)
        return (index >> 8 & 0xF) << CKVM_ARM_IRQ_VCPU2_SHIFT | kind.rawValue << CKVM_ARM_IRQ_TYPE_SHIFT
            | (index & 0xFF) << CKVM_ARM_IRQ_VCPU_SHIFT | UInt32(number)
    }

    public var description: String {
        switch kind {
        case .spi: return "SPI INTID \(number)"
        case .ppi: return "PPI INTID \(number) vcpu \(vcpu)"
        case .cpu: return "CPU line \(number) vcpu \(vcpu)"
        }
    }
}
