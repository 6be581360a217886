import SysRegs
import Testing

/// Invariants every layout in the field catalog must keep.
@Suite("FieldDecoder layouts")
struct FieldDecoderLayoutTests {
    /// Layouts of registers that are 128 bits wide (FEAT_D128); every other layout must fit in 64 bits.
    static let wideLayouts: Set<String> = ["PAR_EL1", "PAR_EL1.F1", "PAR_EL1.D128"]

    @Test("every catalog name resolves", arguments: FieldCatalog.names)
    func nameResolves(_ name: String) throws {
        let layout = try #require(FieldCatalog.layout(for: name))
        #expect(!layout.fields.isEmpty)
        #expect(FieldCatalog.layout(for: name.lowercased()) == layout)
    }

    @Test func namesAreUnique() {
        let names = FieldCatalog.names
        #expect(Set(names.map { $0.uppercased() }).count == names.count)
    }

    @Test("fields do not overlap", arguments: FieldCatalog.names)
    func noOverlap(_ name: String) throws {
        let layout = try #require(FieldCatalog.layout(for: name))
        var used = Set<Int>()
        for field in layout.fields {
            for bit in field.lsb...field.msb {
                #expect(used.insert(bit).inserted, "\(name).\(field.name) overlaps at bit \(bit)")
            }
        }
    }

    @Test("fields lie inside the register", arguments: FieldCatalog.names)
    func inRange(_ name: String) throws {
        let layout = try #require(FieldCatalog.layout(for: name))
        let width = Self.wideLayouts.contains(name) ? 128 : 64
        for field in layout.fields {
            #expect(field.lsb >= 0 && field.msb >= field.lsb && field.msb < width, "\(name).\(field.name)")
        }
    }

    @Test("field names are unique, described and not reserved", arguments: FieldCatalog.names)
    func fieldNames(_ name: String) throws {
        let layout = try #require(FieldCatalog.layout(for: name))
        let names = layout.fields.map(\.name)
        #expect(Set(names).count == names.count, "\(name) repeats a field name")
        for field in layout.fields {
            #expect(!["RES0", "RES1", "RAZ", "RAO"].contains(field.name), "\(name).\(field.name)")
            #expect(!field.summary.isEmpty, "\(name).\(field.name) has no summary")
        }
    }

    @Test("meanings fit in their field", arguments: FieldCatalog.names)
    func meaningsFit(_ name: String) throws {
        let layout = try #require(FieldCatalog.layout(for: name))
        for field in layout.fields {
            let limit: UInt128 = field.width >= 128 ? ~0 : (UInt128(1) << UInt128(field.width)) - 1
            for (value, meaning) in field.meanings {
                #expect(value <= limit, "\(name).\(field.name) lists \(value)")
                #expect(!meaning.isEmpty)
            }
        }
    }

    @Test func layoutsAreSortedMostSignificantFirst() throws {
        for name in FieldCatalog.names {
            let lsbs = try #require(FieldCatalog.layout(for: name)).fields.map(\.lsb)
            #expect(lsbs == lsbs.sorted(by: >), "\(name)")
        }
    }

    @Test func registersTheRequiredLayouts() {
        let required = [
            "HCR_EL2", "SCTLR_EL1", "SCTLR_EL2", "TCR_EL1", "TCR_EL2", "PSTATE", "SPSR_EL1", "SPSR_EL2", "ESR_EL1",
            "ESR_EL2", "VTCR_EL2", "CPTR_EL2", "CPTR_EL2.E2H0", "CNTHCTL_EL2", "MDCR_EL2", "PAR_EL1", "PAR_EL1.F1",
            "ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1", "ID_AA64MMFR4_EL1", "ID_AA64PFR0_EL1",
            "ID_AA64PFR1_EL1",
        ]
        for name in required { #expect(FieldCatalog.layout(for: name) != nil, "\(name) missing") }
    }

    @Test func unknownRegisterHasNoLayout() {
        #expect(FieldCatalog.layout(for: "NOT_A_REGISTER") == nil)
    }
}
