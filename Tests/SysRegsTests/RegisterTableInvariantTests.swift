import Testing

@testable import SysRegs

/// Structural invariants of the register table (house style: "Table invariants are tests").
@Suite struct RegisterTableInvariantTests {
    @Test func everyDeclaredGroupIsSortedByIDInSource() {
        for group in RegisterTable.declaredGroups {
            let ids = group.rows.map(\.id)
            #expect(ids == ids.sorted(), "group \(group.name) is not sorted by ONE_REG id")
            #expect(!group.rows.isEmpty, "group \(group.name) is empty")
        }
    }

    @Test func allIsSortedAndHoldsEveryRow() {
        let ids = RegisterTable.all.map(\.id)
        #expect(ids == ids.sorted())
        #expect(ids.count == RegisterTable.declaredGroups.map(\.rows.count).reduce(0, +))
    }

    @Test func namesAreUnique() {
        #expect(duplicates(RegisterTable.all.map { $0.name.uppercased() }).isEmpty)
    }

    @Test func idsAreUnique() {
        #expect(duplicates(RegisterTable.all.map(\.id)).isEmpty)
    }

    @Test func encodingsAreUnique() {
        #expect(duplicates(RegisterTable.all.compactMap(\.encoding)).isEmpty)
    }

    @Test func sysregIDsMatchTheirEncodingExceptTheSwappedTimers() {
        let swapped: Set<String> = ["CNTV_CVAL_EL0", "CNTVCT_EL0"]
        for d in RegisterTable.all {
            guard let e = d.encoding else { continue }
            if swapped.contains(d.name) {
                #expect(d.id != .sysreg(e), "\(d.name) should keep KVM's swapped id")
            } else {
                #expect(d.id == .sysreg(e), "\(d.name): id \(d.id) does not encode \(e)")
            }
        }
    }

    @Test func transferSizeFitsTheWidth() {
        for d in RegisterTable.all {
            // FEAT_D128 registers transfer 64 of their 128 bits; all others transfer their width.
            let expected = d.width == .bits128 && d.encoding != nil ? 8 : d.width.byteCount
            #expect(d.id.byteCount == expected, "\(d.name): \(d.id.byteCount) bytes, width \(d.width)")
        }
    }

    @Test func vncrSlotsAreAlignedInsideThePageAndDisjoint() throws {
        var previousEnd = 0
        var previousName = "(page start)"
        for d in RegisterTable.vncrLayout {
            let offset = try #require(d.vncrOffset)
            let size = d.width.byteCount
            #expect(size == 8 || size == 16, "\(d.name): VNCR slot of \(size) bytes")
            #expect(offset % 8 == 0, "\(d.name) at \(hexShort(offset)) is not 8-aligned")
            if size == 16 { #expect(offset % 16 == 0, "\(d.name): 128-bit slot not 16-aligned") }
            #expect(offset >= 0 && offset + size <= VNCRPage.size, "\(d.name) outside the page")
            #expect(offset >= previousEnd, "\(d.name) at \(hexShort(offset)) overlaps \(previousName)")
            previousEnd = offset + size
            previousName = d.name
        }
    }

    @Test func elTwoSpecialRegistersHaveNoVNCRSlot() throws {
        for name in ["SP_EL2", "ELR_EL2", "SPSR_EL2"] {
            let d = try #require(RegisterTable.named(name))
            #expect(d.storage == .special)
            #expect(d.group == .el2Special)
            #expect(d.visibility == .el2)
        }
        #expect(RegisterTable.named("SP_EL2")?.reset == .unknown)
        #expect(RegisterTable.named("ELR_EL2")?.reset == .value(0))
        #expect(RegisterTable.named("SPSR_EL2")?.reset == .value(0))
    }

    @Test func gicRegistersAreNeverListed() {
        let gic = RegisterTable.all.filter { $0.group == .gic }
        #expect(!gic.isEmpty)
        for d in gic {
            #expect(!d.isInRegList(for: [.el2, .sve, .pmu, .pauth, .mte]), "\(d.name) listed")
        }
    }

    private func duplicates<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { !seen.insert($0).inserted }
    }
}
