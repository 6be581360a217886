// TEMPORARY: replaced by the per-register field files.
extension FieldCatalog {
    static let registeredLayouts: [(names: [String], layout: FieldLayout)] = [
        (["HCR_EL2"], FieldLayout([BitField("E2H", bit: 34, "EL2 Host"), BitField("RW", bit: 31, "EL1 is AArch64")]))
    ]
}
