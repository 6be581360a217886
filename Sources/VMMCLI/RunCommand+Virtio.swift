import VMM

/// `vmmctl run`'s virtio flags: `--disk PATH[,readonly][,serial=ID]` (repeatable) and `--rng`/`--no-rng`.
extension RunCommand {
    static func addVirtioDevices(_ a: Arguments, to config: inout RunConfig) throws(CLIError) {
        if a.has("rng") && a.has("no-rng") { throw .usage("--rng and --no-rng contradict each other", command: name) }
        config.rng = !a.has("no-rng")
        for spec in a.repeated["disk", default: []] { config.disks.append(try parseDisk(spec)) }
        if let demo = a.options["demo"] {
            guard demo == "virtio-hostile" else {
                throw .usage("--demo '\(demo)' is not a built-in demo (there is: virtio-hostile)", command: name)
            }
            guard a.positionals.isEmpty, a.options["bench-mmio"] == nil else {
                throw .usage("--demo replaces the guest: give no IMAGE and no --bench-mmio", command: name)
            }
            guard config.rng || !config.disks.isEmpty else {
                throw .usage(
                    "--demo virtio-hostile needs a virtio device: drop --no-rng or add a --disk", command: name)
            }
            config.payload = .virtioScript(.hostile(layout: config.layout))
        }
    }

    /// `PATH[,readonly][,serial=ID]`. A path containing a comma cannot be given (there is no escape).
    static func parseDisk(_ spec: String) throws(CLIError) -> DiskConfig {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let path = parts.first, !path.isEmpty else {
            throw .usage("--disk '\(spec)' needs a PATH first (--disk PATH[,readonly][,serial=ID])", command: name)
        }
        var disk = DiskConfig(path: path)
        for option in parts.dropFirst() {
            if option == "readonly" || option == "ro" {
                disk.readOnly = true
            } else if option.hasPrefix("serial=") {
                disk.serial = String(option.dropFirst("serial=".count))
                guard disk.serial.utf8.count <= VirtioBlock.idBytes else {
                    throw .usage(
                        "--disk serial '\(disk.serial)' is longer than \(VirtioBlock.idBytes) bytes", command: name)
                }
            } else {
                throw .usage("--disk option '\(option)' is not readonly or serial=ID", command: name)
            }
        }
        return disk
    }
}
