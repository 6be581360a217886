/// A plain-text dump of the whole register table, one register per line, for the golden test and
/// for reviewing table changes as a diff.
extension RegisterTable {
    /// Column widths of `dumpText()`; the last column (encoding) is not padded.
    static let dumpColumns: [(title: String, width: Int)] = [
        ("id", 18), ("name", 36), ("group", 11), ("width", 5), ("storage", 26), ("visibility", 12),
        ("reset", 12), ("encoding", 0),
    ]

    /// The table as text: a `#` header naming the columns, then one line per register in id order
    /// with fixed-width columns id, name, group, width, storage, visibility, reset, encoding.
    /// Registers without an encoding show `-`.
    public static func dumpText() -> String {
        ([dumpHeader] + all.map(dumpLine)).joined(separator: "\n") + "\n"
    }

    /// The `#` header line of `dumpText()`.
    public static var dumpHeader: String { dumpLine(["# id"] + dumpColumns.dropFirst().map(\.title)) }

    /// One register's line of `dumpText()` (also `vmmctl regs list`).
    public static func dumpLine(_ d: RegisterDescriptor) -> String {
        dumpLine([
            d.id.description, d.name, d.group.rawValue, d.width.description, d.storage.description,
            d.visibility.description, d.reset.description, d.encoding?.description ?? "-",
        ])
    }

    private static func dumpLine(_ cells: [String]) -> String {
        var line = ""
        for (cell, column) in zip(cells, dumpColumns) {
            let padding = max(1, column.width - cell.count + 1)
            line += column.width == 0 ? cell : cell + String(repeating: " ", count: padding)
        }
        return line
    }
}
