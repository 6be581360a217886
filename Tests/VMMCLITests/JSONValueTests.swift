import Testing

@testable import VMMCLI

@Suite("JSON output")
struct JSONValueTests {
    @Test("strings are escaped, keys keep their order, nesting is indented")
    func rendering() {
        let v = JSONValue.object([
            ("b", .string("quote \" backslash \\ newline \n tab \t bell \u{7}")),
            ("a", .array([.int(1), .bool(false), .null, .hex("0x10")])),
            ("empty", .object([])),
        ])
        let expected = """
            {
              "b": "quote \\" backslash \\\\ newline \\n tab \\t bell \\u0007",
              "a": [
                1,
                false,
                null,
                "0x10"
              ],
              "empty": {}
            }
            """
        #expect(v.rendered() == expected)
    }
}
