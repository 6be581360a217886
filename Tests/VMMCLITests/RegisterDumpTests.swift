import SysRegs
import Testing
import VMM

@testable import VMMCLI

@Suite("RegisterDump: exception level and regime")
struct RegisterDumpRegimeTests {
    @Test("an EL1 vCPU at PSTATE 0x3c5 is EL1h in the EL1&0 regime, with no stage 2 or VNCR view")
    func el1() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el1VCPU()]), RegisterDumpOptions())
        #expect(text.contains("  exception level  EL1h: EL1, on SP_EL1, AArch64\n"))
        #expect(text.contains("  regime           EL1&0 (an EL1 vCPU: stage 2 belongs to the host's KVM)\n"))
        #expect(!text.contains("stage 2    "))
        #expect(!text.contains("VNCR page view"))
        #expect(!text.contains("HCR_EL2"))
        #expect(!text.contains("[el2-special]"))
    }

    @Test("a VHE EL2 vCPU at PSTATE 0x3c9 is EL2h in EL2&0, stage 2 on with VTTBR_EL2's VMID and BADDR")
    func el2VHE() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions())
        #expect(text.contains("  exception level  EL2h: EL2, on SP_EL2, AArch64\n"))
        #expect(text.contains("  regime           EL2&0 (HCR_EL2.E2H=1, TGE=0: the guest hypervisor, VHE)\n"))
        #expect(
            text.contains(
                "  stage 2          enabled for the guest hypervisor's guest (HCR_EL2.VM=1); "
                    + "VTTBR_EL2 VMID 1, BADDR 0x41000000\n"))
    }

    @Test("an E2H0 vCPU at EL2 is in the EL2 regime and decodes CPTR_EL2, CNTHCTL_EL2, TCR_EL2 as E2H=0")
    func e2h0() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.e2h0VCPU()]), RegisterDumpOptions())
        #expect(text.contains("  regime           EL2 (HCR_EL2.E2H=0, TGE=0: the guest hypervisor, non-VHE)\n"))
        #expect(text.contains("stage 2          disabled for the guest hypervisor's guest (HCR_EL2.VM=0)"))
        #expect(text.contains("(fields as CPTR_EL2.E2H0: HCR_EL2.E2H=0)"))
        #expect(text.contains("      TFP           [10]"))
        #expect(text.contains("(fields as CNTHCTL_EL2.E2H0: HCR_EL2.E2H=0)"))
        #expect(text.contains("(fields as TCR_EL2: HCR_EL2.E2H=0)"))
        #expect(text.contains("MP state stopped"))
        #expect(text.contains("features el2, e2h0, psci-0.2"))
        #expect(text.contains("its guest hypervisor has no FEAT_NV2"))
    }

    @Test("under E2H=1, TCR_EL2 decodes with the TCR_EL1 layout and CPTR_EL2 with the CPACR shape")
    func vheLayouts() throws {
        let text = try RegisterDump.text(
            DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions(filter: "el2"))
        #expect(text.contains("(fields as TCR_EL1: HCR_EL2.E2H=1)"))
        #expect(text.contains("(fields as CPTR_EL2: HCR_EL2.E2H=1)"))
        #expect(
            text.contains("FPEN          [21:20]  0x3         Advanced SIMD and floating-point access enable: No trap"))
        #expect(text.contains("(fields as CNTHCTL_EL2: HCR_EL2.E2H=1)"))
    }

    @Test("an EL2 vCPU running its guest is in EL1&0; EL0 with E2H and TGE set is in EL2&0")
    func nestedGuestAndHostApp() throws {
        let guest = DumpFixtures.el2VCPU(pstate: 0x3C5)
        let text = try RegisterDump.text(DumpFixtures.machine([guest]), RegisterDumpOptions(filter: "PSTATE"))
        #expect(text.contains("regime           EL1&0 (HCR_EL2.E2H=1, TGE=0: the guest hypervisor's guest)"))
        let tge: UInt64 = 1 << 27
        let app = DumpFixtures.el2VCPU(pstate: 0, hcr: DumpFixtures.hcrVHE | tge)
        let appText = try RegisterDump.text(DumpFixtures.machine([app]), RegisterDumpOptions(filter: "PSTATE"))
        #expect(appText.contains("exception level  EL0t: EL0, on SP_EL0, AArch64"))
        #expect(appText.contains("regime           EL2&0 (HCR_EL2.E2H=1, TGE=1: a host application under VHE)"))
    }

    @Test(
        "the regime of each exception level",
        arguments: [
            (0, false, false, false, "EL1&0"), (1, false, false, false, "EL1&0"), (0, true, true, true, "EL2&0"),
            (0, true, true, false, "EL1&0"), (1, true, true, true, "EL1&0"), (2, true, false, false, "EL2"),
            (2, true, true, false, "EL2&0"), (3, false, false, false, "EL3"),
        ])
    func regimes(el: Int, hasEL2: Bool, e2h: Bool, tge: Bool, expected: String) {
        let regime = TranslationRegime.current(exceptionLevel: el, hasEL2: hasEL2, e2h: e2h, tge: tge)
        #expect((regime?.rawValue ?? "EL3") == expected)
    }
}

@Suite("RegisterDump: groups, values and decodes")
struct RegisterDumpContentTests {
    static let order = [
        "core", "fpsimd", "el0", "el1", "el2", "el2-special", "timer", "id", "debug", "pmu", "pauth", "mte", "gic",
        "firmware", "sve", "cache", "unknown",
    ]

    /// The `[group]` keys of the group headings, in the order printed (GIC section excluded).
    static func groupKeys(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix(" "), !line.hasPrefix("GIC"), line.hasSuffix("]"),
                let open = line.lastIndex(of: "[")
            else { return nil }
            return String(line[line.index(after: open)..<line.index(before: line.endIndex)])
        }
    }

    @Test("groups come in the fixed order, unknown ids last")
    func groupOrder() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el1VCPU()]), RegisterDumpOptions())
        let keys = Self.groupKeys(text)
        #expect(keys.first == "core")
        #expect(keys.last == "unknown")
        let positions = keys.map { Self.order.firstIndex(of: $0) ?? -1 }
        #expect(!positions.contains(-1))
        #expect(positions == positions.sorted())
        let el2 = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions())
        let el2Keys = Self.groupKeys(el2)
        #expect(el2Keys.firstIndex(of: "el2")! + 1 == el2Keys.firstIndex(of: "el2-special")!)
    }

    @Test("the el2-special group holds exactly SPSR_EL2, ELR_EL2 and SP_EL2, with its label")
    func el2Special() throws {
        let state = DumpFixtures.machine([DumpFixtures.el2VCPU()])
        let json = try RegisterDump.json(state, RegisterDumpOptions())
        let groups = json["vcpus"]!.items[0]["groups"]!.items
        let special = try #require(groups.first { $0["group"]?.text == "el2-special" })
        let names = special["registers"]!.items.compactMap { $0["name"]?.text }
        #expect(names.sorted() == ["ELR_EL2", "SPSR_EL2", "SP_EL2"])
        let text = try RegisterDump.text(state, RegisterDumpOptions())
        #expect(
            text.contains(
                "\nEL2 special registers (kept apart from the sysreg array, reached through ONE_REG) [el2-special]\n"))
        #expect(text.contains("  SP_EL2       0x603000000013f208 0x1de7ec7edbadc0de\n"))
    }

    @Test("decoded HCR_EL2 shows E2H, RW and VM, and only non-zero fields")
    func hcrDecode() throws {
        let text = try RegisterDump.text(
            DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions(filter: "HCR_EL2"))
        let lines = text.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("  HCR_EL2 ") })
        #expect(lines[start].hasSuffix("0x0000000480000001"))
        let fields = lines[(start + 1)...].prefix { $0.hasPrefix("      ") }
        #expect(fields.map { $0.split(separator: " ")[0] } == ["E2H", "RW", "VM"])
        #expect(fields[start + 1].contains("[34]     0x1         EL2 Host: Virtualization Host Extensions enabled"))
        #expect(fields[start + 2].contains("Execution state of EL1: EL1 is AArch64"))
    }

    @Test("PSTATE, PAR_EL1 (fault layout) and SPSR_EL2 decode with enumerated meanings")
    func otherDecodes() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el1VCPU()]), RegisterDumpOptions())
        #expect(text.contains("      M[3:0]        [3:0]    0x5         Exception level and stack pointer: EL1h\n"))
        #expect(text.contains("(fields as PAR_EL1.F1: PAR_EL1.F/D128 select it)"))
        #expect(text.contains("FST           [6:1]    0x9         Fault status code: Access flag fault, level 1"))
        let el2 = try RegisterDump.text(
            DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions(filter: "SPSR_EL2"))
        #expect(el2.contains("Exception level and stack pointer: EL1h"))
    }

    @Test("--decode off leaves out every field line")
    func noDecode() throws {
        let text = try RegisterDump.text(
            DumpFixtures.machine([DumpFixtures.el2VCPU()]), RegisterDumpOptions(decode: false))
        #expect(!text.contains("\n      "))
        #expect(text.contains("  HCR_EL2 "))
    }

    @Test("values are full width: 32-bit FPSR, 64-bit X0, 128-bit V0")
    func fullWidth() throws {
        let text = try RegisterDump.text(DumpFixtures.machine([DumpFixtures.el1VCPU()]), RegisterDumpOptions())
        #expect(text.contains("0x60200000001000d4 0x00000000\n"))
        #expect(text.contains("0x6030000000100000 0x0000000000001234\n"))
        #expect(text.contains("0x6040000000100054 0x0102030405060708090a0b0c0d0e0f10\n"))
    }

    @Test("256-byte SVE values are abbreviated unless the filter selects them")
    func sveAbbreviation() throws {
        let state = DumpFixtures.machine([DumpFixtures.sveVCPU()])
        let all = try RegisterDump.text(state, RegisterDumpOptions())
        #expect(all.contains("0x...0f0e0d0c0b0a09080706050403020100 (256 bytes, low 16 shown; --filter Z0 shows all)"))
        let z0 = try RegisterDump.text(state, RegisterDumpOptions(filter: "z0"))
        let line = try #require(z0.split(separator: "\n").first { $0.hasPrefix("  Z0 ") })
        #expect(line.contains(" 0xfffefdfc"))
        #expect(line.hasSuffix("0100"))
        #expect(line.split(separator: " ").last?.count == 2 + 512)
        let json = try RegisterDump.json(state, RegisterDumpOptions())
        let sve = json["vcpus"]!.items[0]["groups"]!.items.first { $0["group"]?.text == "sve" }
        let z0JSON = sve?["registers"]?.items.first { $0["name"]?.text == "Z0" }
        #expect(z0JSON?["value"]?.text?.count == 2 + 512)
    }

    @Test("an id the model does not name is listed last, by its structure and its recorded name")
    func unknownID() throws {
        let state = DumpFixtures.machine([DumpFixtures.el1VCPU()])
        let text = try RegisterDump.text(state, RegisterDumpOptions())
        #expect(
            text.contains(
                "\nUnknown ids (not in the register model; named by their structure) [unknown]\n"
                    + "  S3_7_C15_C15_7 0x603000000013ffff 0x000000000000abcd"
                    + "  (sysreg, 8 bytes; recorded as IMPDEF_FOO_EL1)\n"))
        let byRecorded = try RegisterDump.text(state, RegisterDumpOptions(filter: "impdef_foo_el1"))
        #expect(byRecorded.contains("S3_7_C15_C15_7"))
        let json = try RegisterDump.json(state, RegisterDumpOptions(filter: "S3_7_*"))
        let group = json["vcpus"]!.items[0]["groups"]!.items[0]
        #expect(group["group"]?.text == "unknown")
        #expect(group["registers"]!.items[0]["known"] == .bool(false))
        #expect(group["registers"]!.items[0]["recordedName"]?.text == "IMPDEF_FOO_EL1")
    }
}

@Suite("RegisterDump: GIC and VNCR page view")
struct RegisterDumpSectionTests {
    @Test("the VNCR view lists HCR_EL2 at 0x78 and VTTBR_EL2 at 0x20 (a 16-byte slot), with the count")
    func vncrView() throws {
        let vcpu = DumpFixtures.el2VCPU()
        let text = try RegisterDump.text(DumpFixtures.machine([vcpu]), RegisterDumpOptions())
        #expect(text.contains("\n  0x78   HCR_EL2           0x0000000480000001\n"))
        #expect(text.contains("\n  0x20   VTTBR_EL2         0x00000000000000000001000041000000\n"))
        #expect(text.contains("\n  0x4c0  ICH_HCR_EL2       0x0000000000000001\n"))
        let ids = Set(vcpu.registers.map(\.id))
        let gicBacked = 2  // ICH_HCR_EL2 and ICH_VMCR_EL2 from the vGIC state
        let present = RegisterTable.vncrLayout.count { ids.contains($0.id) } + gicBacked
        #expect(
            text.contains(
                "VNCR page view: \(present) of the \(RegisterTable.vncrLayout.count) VNCR-backed registers present\n"))
        #expect(text.contains("KVM does not expose the VNCR_EL2 page itself"))
        let offsets = text.split(separator: "\n").filter { $0.hasPrefix("  0x") }.map {
            Int($0.dropFirst(4).prefix { $0 != " " }, radix: 16)!
        }
        #expect(offsets == offsets.sorted())
    }

    @Test("the GIC CPU interface is listed with names and ICH_HCR_EL2/ICH_VMCR_EL2 decoded; the rest is counted")
    func gicDefault() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions())
        #expect(text.contains("GIC distributor: 3 registers (--filter gic lists them)\n"))
        #expect(text.contains("GIC redistributor: 2 registers (--filter gic lists them)\n"))
        #expect(text.contains("  ICC_PMR_EL1       S3_0_C4_C6_0       0x00000000000000f0\n"))
        // Named from the register table when the state left the name empty.
        #expect(text.contains("  ICH_VMCR_EL2      S3_4_C12_C11_7     0x00000000f0000003\n"))
        #expect(text.contains("      VPMR          [31:24]  0xf0        Virtual Priority Mask\n"))
        #expect(text.contains("      En            [0]      0x1         Virtual CPU interface enable\n"))
        #expect(!text.contains("GICD_IIDR"))
    }

    @Test("--filter gic lists the distributor and redistributor and keeps only GIC content")
    func gicFilter() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "gic"))
        #expect(text.contains("\nGIC distributor\n  0x8     GICD_IIDR         0x0300043b\n"))
        #expect(text.contains("\nGIC redistributor\n  0x0     GICR_CTLR         0x00000000\n"))
        #expect(text.contains("ICC_SRE_EL1"))
        #expect(!text.contains("[core]"))
        #expect(text.contains("  0x4c8  ICH_VMCR_EL2"))
        #expect(!text.contains("  0x78   HCR_EL2"))
    }
}

@Suite("RegisterDump: --vcpu and --filter")
struct RegisterDumpSelectionTests {
    @Test("--vcpu N shows only that vCPU")
    func vcpuSelection() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(vcpu: 1))
        #expect(!text.contains("=== vCPU 0 "))
        #expect(text.contains("=== vCPU 1  MPIDR 0x0000000080000001  features el2, psci-0.2  MP state runnable\n"))
        let json = try RegisterDump.json(DumpFixtures.mixed, RegisterDumpOptions(vcpu: 0))
        #expect(json["vcpus"]!.items.map { $0["index"] } == [.int(0)])
    }

    @Test("--vcpu out of range names the valid range", arguments: [2, 3, -1])
    func vcpuOutOfRange(index: Int) {
        #expect(throws: CLIError("vCPU \(index) does not exist; this VM has 2 (0-1)")) {
            try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(vcpu: index))
        }
        let single = DumpFixtures.machine([DumpFixtures.el1VCPU()])
        #expect(throws: CLIError("vCPU \(index) does not exist; this VM has 1 (0)")) {
            try RegisterDump.json(single, RegisterDumpOptions(vcpu: index))
        }
    }

    @Test("--filter by name is case-insensitive and keeps the header; the VNCR view shows only that slot")
    func filterName() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "hcr_el2"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" 0x6030") }
        #expect(rows.map { $0.split(separator: " ")[0] } == ["HCR_EL2"])
        #expect(text.contains("=== vCPU 0 "))
        #expect(text.contains("(no matching registers on this vCPU)"))
        #expect(text.contains("  regime           EL2&0"))
        #expect(text.contains("      E2H           [34]"))
        #expect(text.contains("\n  0x78   HCR_EL2 "))
        #expect(!text.contains("VTTBR_EL2  "))
        #expect(!text.contains("GIC distributor:"))
    }

    @Test("--filter with a glob selects by pattern across registers, GIC and the VNCR view")
    func filterGlob() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "ICH_*"))
        #expect(text.contains("  ICH_HCR_EL2       S3_4_C12_C11_0"))
        #expect(!text.contains("ICC_PMR_EL1"))
        #expect(text.contains("  0x4c0  ICH_HCR_EL2"))
        #expect(!text.contains("[core]"))
        let spsr = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "SPSR_*"))
        #expect(spsr.contains("  SPSR_EL1 "))
        #expect(spsr.contains("  SPSR_EL2 "))
        #expect(!spsr.contains("  PSTATE "))
    }

    @Test("--filter with a group name selects the group")
    func filterGroup() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "EL2-Special"))
        #expect(RegisterDumpContentTests.groupKeys(text) == ["el2-special"])
        // The EL1 vCPU has no such registers: its header stays, with a note.
        #expect(text.contains("=== vCPU 0 "))
        #expect(!text.contains("GIC CPU interface"))
        #expect(!text.contains("VNCR page view"))
    }

    @Test("a plain name that names nothing is taken as a prefix")
    func filterPrefix() throws {
        let text = try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "CNTH"))
        #expect(text.contains("  CNTHCTL_EL2 "))
        #expect(text.contains("  CNTHP_CTL_EL2 "))
        #expect(!text.contains("  CNTVOFF_EL2 "))
    }

    @Test("a filter that matches nothing is an error listing the groups")
    func filterNoMatch() {
        let groups = RegisterGroup.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(throws: CLIError("no register or group matches 'FOO'; groups are \(groups)")) {
            try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(filter: "FOO"))
        }
        // EL2 registers exist only on vCPU 1.
        #expect(throws: CLIError.self) {
            try RegisterDump.text(DumpFixtures.mixed, RegisterDumpOptions(vcpu: 0, filter: "HCR_EL2"))
        }
    }

    @Test(
        "glob matching",
        arguments: [
            ("ICH_*", "ICH_LR0_EL2", true), ("ICH_*", "ICC_PMR_EL1", false), ("*_EL2", "SP_EL2", true),
            ("X?", "X1", true), ("X?", "X10", false), ("*", "", true), ("A*B*C", "AXXBYYC", true),
            ("A*B*C", "AXXBYY", false), ("**", "X", true),
        ])
    func glob(pattern: String, name: String, expected: Bool) {
        #expect(RegisterDump.Filter.globMatches(Array(pattern), Array(name)) == expected)
    }
}

@Suite("RegisterDump: JSON")
struct RegisterDumpJSONTests {
    @Test("the JSON dump has the documented shape, with values as 0x strings")
    func shape() throws {
        let json = try RegisterDump.json(DumpFixtures.mixed, RegisterDumpOptions())
        #expect(json.keys == ["vcpus", "gicDistributor", "counter", "memory", "machine"])
        let vcpus = json["vcpus"]!.items
        #expect(vcpus.count == 2)
        let el1Keys = [
            "index", "mpidr", "features", "mpState", "exceptionLevel", "mode", "stackPointer", "regime", "groups",
            "gic",
        ]
        #expect(vcpus[0].keys == el1Keys)
        let el2 = vcpus[1]
        #expect(el2.keys == Array(el1Keys[..<8]) + ["hcr", "groups", "gic", "vncrPresent", "vncr"])
        #expect(el2["mpidr"] == .hex("0x0000000080000001"))
        #expect(el2["features"] == .array([.string("el2"), .string("psci-0.2")]))
        #expect(el2["exceptionLevel"] == .string("EL2"))
        #expect(el2["mode"] == .string("EL2h"))
        #expect(el2["regime"] == .string("EL2&0"))
        #expect(el2["hcr"]?["e2h"] == .bool(true))
        #expect(el2["hcr"]?["stage2"]?["vmid"] == .int(1))
        #expect(el2["hcr"]?["stage2"]?["baddr"] == .hex("0x0000000041000000"))
        let groupNames = el2["groups"]!.items.compactMap { $0["group"]?.text }
        #expect(groupNames.prefix(6) == ["core", "fpsimd", "el0", "el1", "el2", "el2-special"])
        let hcr = el2["groups"]!.items[4]["registers"]!.items.first { $0["name"]?.text == "HCR_EL2" }
        #expect(hcr?["id"] == .hex("0x603000000013e088"))
        #expect(hcr?["value"] == .hex("0x0000000480000001"))
        #expect(hcr?["fields"]?.items.compactMap { $0["name"]?.text } == ["E2H", "RW", "VM"])
        let slot = el2["vncr"]!.items.first { $0["name"]?.text == "HCR_EL2" }
        #expect(
            slot
                == .object([
                    ("offset", .hex("0x78")), ("name", .string("HCR_EL2")), ("value", .hex("0x0000000480000001")),
                ]))
        #expect(el2["gic"]?["cpuInterface"]?.items.count == 4)
        #expect(json["counter"]?["offset"] == .hex("0x0000000000001000"))
        #expect(json["memory"]?["size"] == .hex("0x20000000"))
        #expect(json["gicDistributor"] == .object([("count", .int(3))]))
    }

    @Test("JSON under --filter gic lists the distributor registers")
    func gicJSON() throws {
        let json = try RegisterDump.json(DumpFixtures.mixed, RegisterDumpOptions(filter: "gic"))
        let regs = json["gicDistributor"]?["registers"]?.items ?? []
        #expect(
            regs.first
                == .object([("offset", .hex("0x8")), ("name", .string("GICD_IIDR")), ("value", .hex("0x0300043b"))]))
        #expect(json["vcpus"]!.items[0]["gic"]?["redistributor"]?["registers"]?.items.count == 2)
    }
}

@Suite("RegisterDump: golden")
struct RegisterDumpGoldenTests {
    /// A hand-sized EL2 vCPU: a few registers of several groups and one unknown id.
    static let state: MachineState = {
        let names: [(String, UInt64)] = [
            ("PSTATE", 0x3C9), ("HCR_EL2", 0x4_8000_0001), ("VTTBR_EL2", 0x1_0000_4100_0000), ("SP_EL2", 0x8000),
            ("CNTHCTL_EL2", 0x3),
        ]
        var regs = names.map { n, v in
            let d = RegisterTable.named(n)!
            return RegisterEntry(id: d.id, name: d.name, value: RegisterValue(v, byteCount: d.id.byteCount))
        }
        regs.append(RegisterEntry(id: OneRegID(0x6030_0000_0017_0001), name: "", value: RegisterValue(0x5)))
        let vcpu = VCPUState(
            index: 0, mpidr: 0x8000_0000, features: .el2VHE, registers: regs, mpState: 0,
            events: VCPUEvents(serrorPending: true, serrorHasESR: true, serrorESR: 0x200_0000))
        var machine = DumpFixtures.machine([vcpu], nested: true)
        machine.gic = GICState(distributor: [], cpus: [])
        return machine
    }()

    static let expected = """
        machine   1 vCPU, nested (EL2, VHE), state version 2
        memory    0x20000000 bytes at 0x40000000 in memory.bin (CRC-32C 0x0000cafe)
        counter   VM-wide offset 0x0000000000001000, guest counter at pause 0x0000000000123456
        GIC distributor: 0 registers (--filter gic lists them)

        === vCPU 0  MPIDR 0x0000000080000000  features el2, psci-0.2  MP state runnable
          exception level  EL2h: EL2, on SP_EL2, AArch64
          regime           EL2&0 (HCR_EL2.E2H=1, TGE=0: the guest hypervisor, VHE)
          stage 2          enabled for the guest hypervisor's guest (HCR_EL2.VM=1); VTTBR_EL2 VMID 1, BADDR 0x41000000
          events           SError pending (ESR 0x0000000002000000)

        Core registers (struct kvm_regs) [core]
          PSTATE       0x6030000000100042 0x00000000000003c9
              D             [9]      0x1         Debug exception mask
              A             [8]      0x1         SError mask
              I             [7]      0x1         IRQ mask
              F             [6]      0x1         FIQ mask
              M[3:0]        [3:0]    0x9         Exception level and stack pointer: EL2h

        EL2 system registers [el2]
          HCR_EL2      0x603000000013e088 0x0000000480000001
              E2H           [34]     0x1         EL2 Host: Virtualization Host Extensions enabled
              RW            [31]     0x1         Execution state of EL1: EL1 is AArch64
              VM            [0]      0x1         Stage 2 translation enable for the EL1&0 regime
          VTTBR_EL2    0x603000000013e108 0x0001000041000000
              VMID          [63:48]  0x1         Virtual Machine Identifier (bits [63:56] RES0 with 8-bit VMIDs)
              BADDR         [47:1]   0x20800000  Stage 2 translation table base address
          CNTHCTL_EL2  0x603000000013e708 0x0000000000000003
              (fields as CNTHCTL_EL2: HCR_EL2.E2H=1)
              EL0VCTEN      [1]      0x1         EL0 access to the virtual counter
              EL0PCTEN      [0]      0x1         EL0 access to the physical counter

        EL2 special registers (kept apart from the sysreg array, reached through ONE_REG) [el2-special]
          SP_EL2       0x603000000013f208 0x0000000000008000

        Unknown ids (not in the register model; named by their structure) [unknown]
          coproc-0x17[0x1] 0x6030000000170001 0x0000000000000005  (coproc-0x17, 8 bytes)

        GIC CPU interface (vGICv3 CPU_SYSREGS) for MPIDR 0x0000000080000000 [gic]
          no GIC state for this MPIDR

        VNCR page view: 2 of the \(RegisterTable.vncrLayout.count) VNCR-backed registers present
          KVM does not expose the VNCR_EL2 page itself; this is the page as the model lays it out
          from the register values above (VNCRPage).
          0x20   VTTBR_EL2         0x00000000000000000001000041000000
          0x78   HCR_EL2           0x0000000480000001

        """

    @Test("a small EL2 state renders byte for byte as expected")
    func golden() throws {
        let text = try RegisterDump.text(Self.state, RegisterDumpOptions())
        #expect(text == Self.expected)
    }
}

extension JSONValue {
    /// The member `key` of an object.
    fileprivate subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// An object's keys, in order.
    fileprivate var keys: [String] {
        if case .object(let members) = self { return members.map(\.0) }
        return []
    }

    /// An array's items.
    fileprivate var items: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    /// A string or hex string's text.
    fileprivate var text: String? {
        switch self {
        case .string(let s), .hex(let s): return s
        default: return nil
        }
    }
}
