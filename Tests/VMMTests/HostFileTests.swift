import Glibc
import Testing

@testable import VMM

/// `HostFile.readAll`: every byte, whatever the size, including files whose size stat does not know.
@Suite struct HostFileTests {
    /// Sizes on each side of the chunk boundaries (16 KiB, doubling to 1 MiB, then 1 MiB chunks).
    @Test(arguments: [0, 1, 16 << 10 - 1, 16 << 10, 16 << 10 + 1, 48 << 10, 3 << 20 + 5])
    func readAllReturnsEveryByteOfARegularFile(size: Int) throws {
        let directory = try SnapshotFixtures.temporaryDirectory()
        defer { _ = HostFile.removeDirectory(directory) }
        let path = directory + "/file"
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
        let file = try HostFile.create(path)
        try file.write(bytes)
        file.close()
        defer { HostFile.removeFile(path) }
        #expect(try HostFile.openForReading(path).readAll() == bytes)
    }

    /// /proc files report size 0 and are produced as they are read: readAll still gets all of one.
    @Test func readAllReadsAProcFileToItsEnd() throws {
        let status = String(decoding: try HostFile.openForReading("/proc/self/status").readAll(), as: UTF8.self)
        #expect(status.hasPrefix("Name:"))
        #expect(status.contains("\nVmRSS:") && status.hasSuffix("\n"))
    }
}
