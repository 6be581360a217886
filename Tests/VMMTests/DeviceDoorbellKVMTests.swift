import Dispatch
import Glibc
import Synchronization
import Testing

@testable import VMM

/// A device that asks for a doorbell at attach and counts the rings it sees on the I/O thread.
final class DoorbellProbeDevice: MachineDevice, @unchecked Sendable {
    // @unchecked: the handler touches only the semaphore and the two synchronised fields.
    static let kind = DeviceKind(tag: SnapshotTag("BELL")!, name: "doorbell probe", stateVersion: 1)
    let instance: UInt32 = 0
    let address: UInt64
    let rung = DispatchSemaphore(value: 0)
    let ringThread = Mutex<pthread_t?>(nil)
    let mmioWrites = Atomic<Int>(0)

    init(address: UInt64) { self.address = address }

    var name: String { "doorbell@" + String(address, radix: 16) }
    var mmioWindow: Range<UInt64>? { address..<address + 8 }
    var spis: [UInt32] { [] }
    var deviceTree: DeviceTreeContribution { DeviceTreeContribution(nodes: []) }
    func attach(_ context: DeviceContext) throws(MachineError) {
        try context.onGuestWrite(Doorbell(address: address, length: 8, name: name)) { [self] in
            ringThread.withLock { $0 = pthread_self() }
            rung.signal()
        }
    }
    func mmioRead(offset: UInt64, size: Int) -> UInt64 { 0 }
    func mmioWrite(offset: UInt64, size: Int, value: UInt64) { mmioWrites.add(1, ordering: .relaxed) }
    func saveState() -> DeviceState { DeviceState(kind: Self.kind.tag, instance: 0, version: 1, payload: []) }
    func restoreState(_ state: DeviceState) throws(DeviceStateError) {}
    func reset() {}
}

@Suite(
    "Devices off the vCPU thread (KVM tier)", .enabled(if: LabKVM.available, LabKVM.skipReason), .timeLimit(.minutes(2))
)
struct DeviceDoorbellKVMTests {
    /// An arm64 Image whose code stores CurrentEL to LabKVM.mmioProbe and spins: code0 branches over
    /// the 64-byte header to the LabKVM payload.
    static var image: [UInt8] {
        var image = [UInt8](repeating: 0, count: 4096)
        image.replaceSubrange(0..<4, with: [0x10, 0x00, 0x00, 0x14])  // b +64
        image.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])  // "ARM\x64"
        image.replaceSubrange(16..<24, with: [0, 0x10, 0, 0, 0, 0, 0, 0])  // image_size 4 KiB
        for (i, word) in LabKVM.currentELPayload.enumerated() {
            withUnsafeBytes(of: word.littleEndian) { image.replaceSubrange(64 + 4 * i..<68 + 4 * i, with: $0) }
        }
        return image
    }

    @Test("a registered device's doorbell runs its handler on the I/O thread, and the store never exits")
    func doorbellRunsOnIOThread() throws {
        let probe = DoorbellProbeDevice(address: LabKVM.mmioProbe)
        let machine = try Machine(
            RunConfig(payload: .linux(image: Self.image, initrd: nil)), console: { _ in }, warn: { _ in },
            adding: [probe])
        let runner = try Threads.spawn { _ = try? machine.run() }
        let rang = probe.rung.wait(timeout: .now() + .seconds(60)) == .success
        let vcpuThreads = machine.gate.threads
        machine.requestStop(.stopped(signal: 15))
        Threads.join(runner)
        #expect(rang, "the doorbell handler never ran")
        let handlerThread = probe.ringThread.withLock { $0 }
        #expect(handlerThread != nil)
        if let handlerThread {
            #expect(!vcpuThreads.isEmpty)
            #expect(vcpuThreads.allSatisfy { pthread_equal($0, handlerThread) == 0 }, "ran on a vCPU thread")
        }
        #expect(probe.mmioWrites.load(ordering: .relaxed) == 0, "KVM completed the store: no MMIO exit")
    }
}
