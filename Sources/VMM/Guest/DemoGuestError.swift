/// Why a demo guest cannot be built for the given placement.
public enum DemoGuestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The image must start on a 4 KiB boundary (vector tables need 2 KiB, stage-2 tables 4 KiB).
    case misalignedLoadAddress(UInt64)
    /// The PL011 is inside the image.
    case uartOverlapsImage(uartBase: UInt64, image: Range<UInt64>)
    /// The image does not fit in guest RAM at the load address.
    case imageOutsideRAM(image: Range<UInt64>, ram: Range<UInt64>)
    /// The UART must be a 4 KiB-aligned MMIO page outside RAM for the stage-2 device mapping.
    case invalidUARTPlacement(uartBase: UInt64, reason: String)
    /// An address beyond the nested demo's 39-bit stage-2 input address space.
    case beyondIPASpace(address: UInt64, bits: Int)
    /// A register handle without an `MRS`/`MSR` encoding (a core register; the demos take encodings from
    /// the register model's `SysReg` handles).
    case noSystemRegisterEncoding(String)
    /// The SMP counter payload runs vCPUs `0..<started`, so `started` must be in `1...vcpuCount`.
    case smpStartedVCPUs(started: Int, vcpuCount: Int)
    /// The SMP counter payload's code and MPIDR table must fit below its counters (`SMPSlots.offset`).
    case smpCodeTooLarge(bytes: Int)
    /// The UART-flood payload's touched memory (`--bench-touch`) must be whole 4 KiB pages inside RAM,
    /// above its first 2 MiB (`DemoGuest.touchOffset`).
    case touchOutsideRAM(touch: UInt64, memorySize: UInt64)
    /// The generated code did not assemble: a bug in the generator.
    case assembly(A64.Error)

    public var description: String {
        switch self {
        case .misalignedLoadAddress(let address):
            "demo guest load address 0x\(hex(address)) is not 4 KiB aligned"
        case .uartOverlapsImage(let uart, let image):
            "UART at 0x\(hex(uart)) lies inside the demo image 0x\(hex(image.lowerBound))-0x\(hex(image.upperBound))"
        case .imageOutsideRAM(let image, let ram):
            "demo image 0x\(hex(image.lowerBound))-0x\(hex(image.upperBound)) is not inside RAM "
                + "0x\(hex(ram.lowerBound))-0x\(hex(ram.upperBound))"
        case .invalidUARTPlacement(let uart, let reason): "UART at 0x\(hex(uart)): \(reason)"
        case .beyondIPASpace(let address, let bits):
            "address 0x\(hex(address)) is beyond the nested demo's \(bits)-bit stage-2 IPA space"
        case .noSystemRegisterEncoding(let name): "register \(name) has no system register encoding"
        case .smpStartedVCPUs(let started, let vcpuCount):
            "SMP counter guest: \(started) started vCPUs on a machine of \(vcpuCount) (must be 1...\(vcpuCount))"
        case .smpCodeTooLarge(let bytes):
            "SMP counter guest: \(bytes) bytes of code and tables do not fit below its counters at +0x1000"
        case .touchOutsideRAM(let touch, let memorySize):
            "--bench-touch: \(touch) bytes of touched memory do not fit, in whole 4 KiB pages, in a guest of "
                + "\(memorySize) bytes above its first 2 MiB; give a smaller size or more --memory"
        case .assembly(let error): "demo guest does not assemble: \(error)"
        }
    }

    private func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}
