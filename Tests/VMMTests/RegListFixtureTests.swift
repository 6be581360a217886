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
        guard let file = fopen(directory + "/" + name, "r") else { return nil }
        defer { fclose(file) }
        var ids: [UInt64] = []
        var line = [CChar](repeating: 0, count: 64)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters()
            guard text.hasPrefix("0x"), let id = UInt64(text.dropFirst(2), radix: 16) else { continue }
            ids.append(id)
        }
        return ids
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
