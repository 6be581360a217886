import Glibc
import Testing

@testable import VMM

/// `MallocPolicy.releaseFreeMemory` in the test process itself (glibc's heap, whatever its THP mode).
@Suite struct MallocPolicyTests {
    /// The VmFlags line of the smaps entry holding `address` (proc(5): "nh" is MADV_NOHUGEPAGE).
    static func vmFlags(at address: UInt) throws -> String? {
        let smaps = String(decoding: try HostFile.openForReading("/proc/self/smaps").readAll(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let mapping = ExecutableText.Mapping(mapsLine: line) {
                inside = mapping.contains(address)
            } else if inside, line.hasPrefix("VmFlags:") {
                return String(line)
            }
        }
        return nil
    }

    /// The heap that was there is advised away from huge pages, and what was freed into it is usable.
    @Test func theHeapIsMarkedNoHugePageAndStaysUsable() throws {
        let heap = MallocPolicy.heapMappings()
        try #require(!heap.isEmpty, "this process has no [heap] mapping")
        MallocPolicy.releaseFreeMemory(heap: heap)
        for range in heap {
            let flags = try #require(try Self.vmFlags(at: range.lowerBound), "no smaps entry for the heap")
            #expect(flags.split(separator: " ").contains("nh"), "heap at 0x\(String(range.lowerBound, radix: 16))")
        }
        // The top was borrowed and given back: blocks from it still hold what is written.
        let block = try #require(malloc(256 << 10)).bindMemory(to: UInt8.self, capacity: 256 << 10)
        defer { free(block) }
        for i in stride(from: 0, to: 256 << 10, by: 4096) { block[i] = UInt8(truncatingIfNeeded: i >> 12 | 1) }
        for i in stride(from: 0, to: 256 << 10, by: 4096) {
            #expect(block[i] == UInt8(truncatingIfNeeded: i >> 12 | 1))
        }
    }
}
