import Glibc
import Testing

/// The embedded register lists equal the fixture files (host only: the lab ships no sources).
@Suite struct RegListFixtureTests {
    static let directory: String = {
        let file = "\(#filePath)"
        let dir = file[..<(file.lastIndex(of: "/") ?? file.endIndex)]
        return "\(dir)/Fixtures/kvm-reglists"
    }()

    static var filesPresent: Bool { access(directory + "/el1.txt", R_OK) == 0 }

    static func ids(in name: String) -> [UInt64]? {
        lines(in: directory + "/" + name)?.compactMap { text in
            text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : nil
        }
    }

    /// The lines of a text file, trimmed; nil if it cannot be opened.
    static func lines(in path: String) -> [String]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var lines: [String] = []
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            lines.append(
                String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    .trimmingCharacters())
        }
        return lines
    }

    @Test(
        .enabled(if: filesPresent, "fixture files are not reachable from this test binary (lab run)"),
        arguments: [
            ("el1.txt", RegListFixtures.el1), ("el2-vhe.txt", RegListFixtures.el2VHE),
            ("el2-e2h0.txt", RegListFixtures.el2E2H0), ("el2-vhe-sve.txt", RegListFixtures.el2VHESVE),
        ])
    func embeddedListEqualsFile(name: String, embedded: [UInt64]) throws {
        let fromFile = try #require(Self.ids(in: name))
        #expect(fromFile == embedded)
    }

    /// The lists were recorded on the kernel the lab pins, and the embedded release is the file's: the
    /// exact-list KVM tests run on that kernel only (LabKVM.onFixtureKernel), so a bumped pin without
    /// re-recorded lists fails here instead of skipping them in the lab.
    @Test(.enabled(if: filesPresent, "fixture files are not reachable from this test binary (lab run)"))
    func recordedOnTheLabsPinnedKernel() throws {
        let release = try #require(Self.lines(in: Self.directory + "/kernel-release")?.first)
        #expect(release == RegListFixtures.kernelRelease)
        let suffix = "/Tests/VMMTests/Fixtures/kvm-reglists"
        let repository = Self.directory.hasSuffix(suffix) ? String(Self.directory.dropLast(suffix.count)) : "."
        let pins = try #require(Self.lines(in: repository + "/lab/versions.sh"))
        #expect(pins.contains("LAB_KERNEL_ABI=\(release)"), "lab/versions.sh does not pin kernel \(release)")
    }

    @Test func countsAreTheLabKernels() {
        #expect(RegListFixtures.el1.count == 262)
        #expect(RegListFixtures.el2VHE.count == 309)
        #expect(RegListFixtures.el2E2H0.count == 306)
        #expect(RegListFixtures.el2VHESVE.count == 329)
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
