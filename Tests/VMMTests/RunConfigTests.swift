import Testing

@testable import VMM

@Suite struct RunConfigTests {
    /// A machine keeps its configuration for the whole run; the kernel and initrd bytes must not
    /// stay with it (they were about 40 MiB of the VMM's RSS with the lab's Debian kernel).
    @Test func withoutImageBytesDropsOnlyTheBytes() {
        let config = RunConfig(
            payload: .linux(image: [UInt8](repeating: 1, count: 4096), initrd: [1, 2, 3]), cmdline: "quiet",
            vcpuCount: 2, memorySize: 512 << 20, nested: true)
        let kept = config.withoutImageBytes
        guard case .linux(let image, let initrd) = kept.payload else {
            Issue.record("the payload is no longer .linux")
            return
        }
        #expect(image.isEmpty && initrd == nil)
        #expect(kept.cmdline == "quiet" && kept.vcpuCount == 2 && kept.memorySize == 512 << 20 && kept.nested)
        let flood = RunConfig(payload: .uartFlood(count: 9, spin: 2))
        guard case .uartFlood(9, 2, 0, 0) = flood.withoutImageBytes.payload else {
            Issue.record("a payload without bytes changed")
            return
        }
    }
}
