import Foundation
import Testing

@testable import SysRegs

/// The whole register table, dumped and compared byte for byte with `Golden/register-table.txt`.
/// Run with `VMMCTL_REGENERATE_GOLDEN=1` to rewrite the file, then review the diff.
@Suite struct GoldenDumpTests {
    static let goldenName = "register-table.txt"

    /// The source-tree Golden directory (the bundle copy is read-only and lives in the build tree).
    static var sourceGoldenURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(goldenName)
    }

    @Test func dumpMatchesGolden() throws {
        let dump = RegisterTable.dumpText()
        if ProcessInfo.processInfo.environment["VMMCTL_REGENERATE_GOLDEN"] == "1" {
            try Data(dump.utf8).write(to: Self.sourceGoldenURL)
            return
        }
        let golden = try TestResources.text("Golden/\(Self.goldenName)")
        #expect(dump == golden, "register table changed: rerun with VMMCTL_REGENERATE_GOLDEN=1 and review the diff")
    }

    @Test func dumpHasOneLinePerRegisterWithFixedColumns() {
        let lines = RegisterTable.dumpText().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.count == RegisterTable.all.count + 2)
        #expect(lines.first?.hasPrefix("# id") == true)
        let hcr = lines.first { $0.hasPrefix("0x603000000013e088") }
        #expect(hcr?.contains(" HCR_EL2 ") == true)
        #expect(hcr?.hasSuffix("S3_4_C1_C1_0") == true)
        // Every name starts in the same column, after the 18-character id and one space.
        for line in lines.dropFirst().dropLast() {
            let chars = Array(line)
            #expect(chars.count > 20 && chars[18] == " " && chars[19] != " ", "misaligned: \(line)")
        }
    }
}
