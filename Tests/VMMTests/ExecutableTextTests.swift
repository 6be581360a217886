import Testing

@testable import VMM

/// The VMM's own text mapping (`ExecutableText`): /proc/PID/maps and smaps parsing, and finding it.
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

    @Test func smapsAnonymousIsTakenPerMapping() {
        let smaps = """
            400000-500000 r-xp 00000000 fd:01 42   /bin/vmmctl
            Rss:                 900 kB
            Anonymous:             0 kB
            500000-520000 rw-p 00100000 fd:01 42   /bin/vmmctl
            Rss:                  64 kB
            Anonymous:            28 kB
            """
        #expect(ExecutableText.kB("Anonymous", smaps: smaps) == [0x40_0000: 0, 0x50_0000: 28])
        #expect(ExecutableText.kB("Rss", smaps: smaps) == [0x40_0000: 900, 0x50_0000: 64])
    }

    @Test func theTestProcessHasATextMappingHoldingThisModule() throws {
        let (mapping, anonymous, resident) = try #require(ExecutableText.ownMapping(), "no /proc/self/smaps")
        #expect(mapping.permissions.hasPrefix("r-x"))
        #expect(mapping.contains(ExecutableText.probeAddress))
        #expect(anonymous == 0)
        #expect((resident ?? 0) > 0)
    }

    /// The release unmaps the text's pages (fewer resident right after it), and the code runs on: every
    /// line after it executes text that had to fault back in.
    @Test func releasingTheTextUnmapsItsPagesAndTheProcessRunsOn() throws {
        let before = try #require(ExecutableText.ownMapping())
        let released = ExecutableText.releaseStartupPages()
        let after = try #require(ExecutableText.ownMapping())
        #expect(released == Int(before.mapping.end - before.mapping.start))
        #expect(after.mapping == before.mapping)
        #expect(try #require(after.residentKB) < (try #require(before.residentKB)))
    }
}
