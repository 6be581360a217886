import Foundation
import Testing

@testable import SysRegs

/// The typed handles agree with the register table: a handle is built from constants, so a mistyped
/// encoding or core offset is caught here rather than by a lookup failing at run time.
@Suite struct SysRegHandleTests {
    @Test(arguments: SysReg.all)
    func handleResolvesToItsTableRow(handle: SysReg) throws {
        let d = try #require(handle.descriptor, "\(handle.name): id \(handle.id) is not in RegisterTable")
        #expect(d.name == handle.name, "\(handle.name)'s id \(handle.id) belongs to \(d.name)")
        #expect(d.id == handle.id)
        #expect(d.encoding == handle.encoding, "\(handle.name): encoding \(String(describing: handle.encoding))")
        #expect(d.width == handle.width, "\(handle.name): width \(handle.width), table says \(d.width)")
        #expect(RegisterTable.named(handle.name) == d)
        if let e = handle.encoding { #expect(RegisterTable.descriptor(for: e) == d) }
    }

    @Test func namesAndIDsAreUnique() {
        #expect(duplicates(SysReg.all.map(\.name)).isEmpty)
        #expect(duplicates(SysReg.all.map(\.id)).isEmpty)
    }

    /// Every `public static let` handle in SysReg+Handles.swift is in `SysReg.all` (host only: the
    /// lab ships the test binary without sources).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Self.handlesSource), "SysRegs sources not reachable"))
    func allListsEveryDeclaredHandle() throws {
        let source = try String(contentsOfFile: Self.handlesSource, encoding: .utf8)
        let declared = source.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard words.count > 3, words[0] == "public", words[1] == "static", words[2] == "let" else { return nil }
            return words[3] == "all:" ? nil : String(words[3])
        }
        #expect(declared.count > 30)
        #expect(declared.sorted() == SysReg.all.map(\.name).sorted())
    }

    static let handlesSource: String = {
        let test = "\(#filePath)"
        let tests = test[..<(test.range(of: "/Tests/SysRegsTests/")?.lowerBound ?? test.endIndex)]
        return "\(tests)/Sources/SysRegs/SysReg+Handles.swift"
    }()

    /// A handle built from a wrong encoding does not pass for the register it names.
    @Test func aMistypedEncodingIsCaught() {
        let wrong = SysReg.sysreg("HCR_EL2", (3, 4, 1, 1, 1))  // MDCR_EL2's encoding
        #expect(wrong.descriptor?.name != wrong.name)
        let wrongCore = SysReg.core("PC", offset: 0x108)  // PSTATE's offset
        #expect(wrongCore.descriptor?.name != wrongCore.name)
    }

    @Test func swappedTimerHandleUsesKVMsID() {
        #expect(SysReg.CNTVCT_EL0.id == OneRegID(0x6030_0000_0013_DF1A))
        #expect(SysReg.CNTVCT_EL0.id != .sysreg(SysReg.CNTVCT_EL0.encoding!))
        #expect(SysReg.CNTPCT_EL0.id == OneRegID(0x6030_0000_0013_DF01))
    }

    @Test func registerFileByHandleKeepsTheWidth() {
        var file = RegisterFile()
        let value: UInt128 = 1 << 100 | 0xABCD
        file[SysReg.VTTBR_EL2] = value
        #expect(file[SysReg.VTTBR_EL2] == value)
        #expect(file[SysReg.VTTBR_EL2.id]?.bytes.count == 16)
        file[SysReg.PC] = 0x4008_0000
        #expect(file[SysReg.PC.id] == RegisterValue(0x4008_0000))
        #expect(file[SysReg.HCR_EL2] == nil)
    }

    private func duplicates<T: Hashable>(_ values: [T]) -> [T] {
        var seen: Set<T> = []
        return values.filter { !seen.insert($0).inserted }
    }
}
