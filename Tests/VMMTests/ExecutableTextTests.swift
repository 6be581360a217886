import Testing

@testable import VMM

/// The VMM's own text mapping (`ExecutableText`): /proc/PID/maps parsing, pagemap, and finding it.
@Suite struct ExecutableTextTests {
    @Test func aMapsLineGivesItsRangePermissionsAndPath() throws {
        let line: Substring = "5581a6e00000-5581a7500000 r-xp 00200000 fd:01 1234567    /usr/bin/vmmctl"
        let mapping = try #require(ExecutableText.Mapping(mapsLine: line))
        #expect(mapping.start == 0x5581_a6e0_0000 && mapping.end == 0x5581_a750_0000)
        #expect(mapping.permissions == "r-xp" && mapping.path == "/usr/bin/vmmctl")
        #expect(mapping.contains(0x5581_a6e0_0000) && !mapping.contains(0x5581_a750_0000))
        let anonymous = try #require(ExecutableText.Mapping(mapsLine: "7ffd1000-7ffd3000 rw-p 00000000 00:00 0"))
        #expect(anonymous.path == "")
        #expect(ExecutableText.Mapping(mapsLine: "Anonymous:             0 kB") == nil)
        #expect(ExecutableText.Mapping(mapsLine: "7000-6000 r-xp 0 00:00 0 /x") == nil)
    }

    @Test func theTestProcessHasATextMappingHoldingThisModule() throws {
        let mapping = try #require(ExecutableText.ownMapping(), "no /proc/self/maps")
        #expect(mapping.permissions.hasPrefix("r-x"))
        #expect(mapping.contains(ExecutableText.probeAddress))
        let pages = try #require(ExecutableText.presentPages(of: mapping), "no /proc/self/pagemap")
        #expect(pages.present > 0)
        #expect(pages.anonymous == 0)
    }

    /// The release unmaps the text's pages (fewer present right after it), and the code runs on: every
    /// line after it executes text that had to fault back in.
    @Test func releasingTheTextUnmapsItsPagesAndTheProcessRunsOn() throws {
        let mapping = try #require(ExecutableText.ownMapping())
        let before = try #require(ExecutableText.presentPages(of: mapping))
        let readOnly = ExecutableText.readOnlyMappings()
        #expect(readOnly.contains(mapping))
        #expect(readOnly.allSatisfy { $0.path == mapping.path && !$0.permissions.contains("w") })
        let released = ExecutableText.releaseStartupPages()
        let after = try #require(ExecutableText.presentPages(of: mapping))
        #expect(released >= Int(mapping.end - mapping.start))
        #expect(after.present < before.present)
        #expect(ExecutableText.ownMapping() == mapping)
    }
}
