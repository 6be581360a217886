import Testing

@testable import VMM

/// The whole device tree of a fixed 2-vCPU nested machine, compared byte for byte with
/// `Golden/virt-2cpu-nested.dtb`. Run with `VMMCTL_REGENERATE_GOLDEN=1` to rewrite it, then review
/// `dtc -I dtb -O dts Tests/VMMTests/Golden/virt-2cpu-nested.dtb` against the old one.
@Suite struct DeviceTreeGoldenTests {
    static let goldenName = "virt-2cpu-nested.dtb"
    static let config = MachineConfig(
        vcpuCount: 2, memorySize: 512 << 20, nested: true,
        cmdline: "console=ttyAMA0 earlycon=pl011,mmio32,0x9000000 panic=-1",
        initrd: 0x5f00_0000..<0x5f80_0000,
        devices: MachineDevices.standard(layout: .standard, console: { _ in }).map(\.deviceTree))

    @Test func blobMatchesGolden() throws {
        let blob = try DeviceTree.blob(for: Self.config)
        if BootGolden.regenerate {
            try BootGolden.write(blob, to: Self.goldenName)
            return
        }
        let golden = try BootGolden.bytes(Self.goldenName)
        #expect(blob == golden, "device tree changed: rerun with VMMCTL_REGENERATE_GOLDEN=1 and review the diff")
    }

    @Test(.enabled(if: DTC.path != nil, "dtc not on PATH (apt-get install device-tree-compiler)"))
    func dtcDecompilesWithoutWarnings() throws {
        let result = try DTC.convert(try DeviceTree.blob(for: Self.config), to: "dts")
        let dts = String(decoding: result.output, as: UTF8.self)
        #expect(result.status == 0)
        #expect(result.diagnostics.isEmpty, "dtc said: \(result.diagnostics)")
        #expect(dts.contains("compatible = \"arm,gic-v3\";"))
        #expect(dts.contains("method = \"smc\";"))
        #expect(dts.contains("stdout-path = \"/pl011@9000000\";"))
    }

    /// dtc re-encodes the blob its own way (it shares string suffixes); our parser must read that
    /// and find the same tree.
    @Test(.enabled(if: DTC.path != nil, "dtc not on PATH (apt-get install device-tree-compiler)"))
    func dtcReencodingParsesToTheSameTree() throws {
        let result = try DTC.convert(try DeviceTree.blob(for: Self.config), to: "dtb")
        #expect(result.status == 0)
        #expect(try FDT.parse(result.output).root == DeviceTree.tree(for: Self.config))
    }
}
