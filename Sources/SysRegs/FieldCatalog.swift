/// The field layouts the model can decode, by register name.
///
/// Layouts are declared in `Fields/`, one file per register family. Several registers can share a
/// layout (SPSR_EL1, SPSR_EL2 and PSTATE; TCR_EL1 and the E2H=1 view of TCR_EL2 differ, so they don't).
public enum FieldCatalog {
    static let entries: [(names: [String], layout: FieldLayout)] = registeredLayouts

    private static let byName: [String: FieldLayout] = {
        var map: [String: FieldLayout] = [:]
        for entry in entries {
            for n in entry.names { map[n.uppercased()] = entry.layout }
        }
        return map
    }()

    /// The layout of the named register, if the catalog has one.
    public static func layout(for name: String) -> FieldLayout? { byName[name.uppercased()] }

    /// Every register name that has a layout, sorted.
    public static var names: [String] { entries.flatMap(\.names).sorted() }
}
