import SysRegs
import Testing

@testable import VMM

/// The demo guests on real arm64 KVM (the lab): the console text must equal `expectedOutput` and the run must
/// end in a PSCI SYSTEM_OFF. Skipped, with the reason printed, without arm64 KVM.
@Suite(.serialized, .enabled(if: LabKVM.available, LabKVM.skipReason))
struct DemoGuestKVMTests {
    /// No memory slot covers it, so PL011 stores exit to userspace as MMIO.
    static let uart: UInt64 = 0x0900_0000

    @Test func el1DemoOnKVM() throws {
        let program = try DemoGuest.el1(uartBase: Self.uart, loadAddress: LabKVM.ramBase)
        let console = try run(program, features: .el1)
        #expect(console == program.expectedOutput)
    }

    @Test(arguments: VCPUKind.supported.filter(\.features.el2))
    func nestedDemoOnKVM(kind: VCPUKind) throws {
        let program = try DemoGuest.nested(
            uartBase: Self.uart, loadAddress: LabKVM.ramBase, ramBase: LabKVM.ramBase,
            ramSize: UInt64(LabKVM.ramSize))
        let console = try run(program, features: kind.features)
        #expect(console == program.expectedOutput)
    }

    /// Runs `program` loaded at the start of the lab machine's RAM until SYSTEM_OFF, collecting UART bytes.
    private func run(_ program: GuestProgram, features: VCPUInitFeatures) throws -> String {
        try #require(program.loadAddress == LabKVM.ramBase && program.bytes.count <= LabKVM.ramSize)
        let words = stride(from: 0, to: program.bytes.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(program.bytes[i + $1]) << UInt32($1 * 8) }
        }
        let machine = try LabMachine(features, payload: words)
        try machine.vcpu.setOneReg(LabKVM.pc, RegisterValue(program.entryPoint))
        #expect(try machine.vcpu.getOneReg(LabKVM.pstate).u64 == program.entryPSTATE)
        var console: [UInt8] = []
        for _ in 0..<10_000 {
            switch try machine.vcpu.run() {
            case .mmio(let address, let data, true, 1) where address == Self.uart:
                console.append(UInt8(truncatingIfNeeded: data))
            case .systemEvent(.shutdown, _):
                return String(decoding: console, as: UTF8.self)
            case let exit:
                Issue.record("unexpected exit \(exit); console so far: \(String(decoding: console, as: UTF8.self))")
                return String(decoding: console, as: UTF8.self)
            }
        }
        Issue.record("no SYSTEM_OFF after 10000 exits")
        return String(decoding: console, as: UTF8.self)
    }
}
