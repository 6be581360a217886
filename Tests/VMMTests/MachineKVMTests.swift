import Glibc
import Synchronization
import Testing

@testable import VMM

/// Collects console bytes from the vCPU threads.
final class ConsoleCapture: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ b: UInt8) { bytes.withLock { $0.append(b) } }
    var count: Int { bytes.withLock { $0.count } }
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

/// The whole machine (vCPU threads, PL011 on the MMIO bus, PSCI in KVM) against real KVM.
@Suite("Machine (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason), .timeLimit(.minutes(2)))
struct MachineKVMTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case el1, nestedVHE, nestedE2H0
        var testDescription: String { rawValue }
        var features: VCPUInitFeatures {
            switch self {
            case .el1: .el1
            case .nestedVHE: .el2VHE
            case .nestedE2H0: .el2E2H0
            }
        }
        /// The kinds this host runs (VCPUKindAvailabilityTests reports the others as skipped).
        static var supported: [Kind] { allCases.filter { LabKVM.supports($0.features) } }
    }

    @Test("the built-in demo guest prints what it promises and powers off", arguments: Kind.supported)
    func demo(kind: Kind) throws {
        let console = ConsoleCapture()
        let config = RunConfig(payload: .demo, nested: kind != .el1, e2h0: kind == .nestedE2H0)
        let machine = try Machine(config, console: { console.append($0) })
        let exit = try machine.run()
        #expect(exit == .poweredOff)
        let expected = try #require(machine.expectedDemoOutput)
        #expect(console.text == expected)
    }

    @Test("requestStop from another thread ends a running guest")
    func stopFromOutside() throws {
        // A kernel that never finishes: `b .` at the entry (an arm64 Image header whose code0 branches
        // to itself is enough for the boot protocol).
        var image = [UInt8](repeating: 0, count: 4096)
        image.replaceSubrange(0..<4, with: [0x00, 0x00, 0x00, 0x14])  // b .
        image.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])  // "ARM\x64"
        image.replaceSubrange(16..<24, with: [0, 0x10, 0, 0, 0, 0, 0, 0])  // image_size 4 KiB
        let machine = try Machine(RunConfig(payload: .linux(image: image, initrd: nil)), console: { _ in })
        let stopper = try Threads.spawn { machine.requestStop(.stopped(signal: 15)) }
        let exit = try machine.run()
        Threads.join(stopper)
        #expect(exit == .stopped(signal: 15))
    }
}
