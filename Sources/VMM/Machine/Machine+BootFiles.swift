extension Machine {
    /// The boot files of a Linux guest named by file paths, placed (`placeLinuxFiles`); nil for any
    /// other payload.
    static func placeBootFiles(_ config: RunConfig) throws(MachineError) -> PlacedBootFiles? {
        guard case .linuxFiles(let kernel, let initrd) = config.payload else { return nil }
        return try placeLinuxFiles(config, kernel: kernel, initrd: initrd)
    }

    /// Opens, checks and places a Linux guest named by file paths (`RunConfig.Payload.linuxFiles`)
    /// without touching KVM: only the kernel's header (an Image's, or the first bytes of a raw payload)
    /// is read now. Where the kernel and the initrd go depends only on the header, the RAM and the
    /// initrd's size, not on the host's features, so this runs before the host is probed and the files
    /// can be read into guest RAM while the rest of the machine is built (`BootFileLoader`).
    static func placeLinuxFiles(
        _ config: RunConfig, kernel kernelPath: String, initrd initrdPath: String?
    ) throws(MachineError) -> PlacedBootFiles {
        var kernelFile = try BootFile(kernelPath, what: "kernel image")
        let header = try kernelFile.prefix(KernelImage.headerProbeSize)
        let kernel: KernelFile
        do { kernel = try KernelFile(prefix: header, fileSize: kernelFile.size) } catch {
            throw .badGuest("\(error)")
        }
        let initrdFile = try initrdPath.map { (path: String) throws(MachineError) in
            try BootFile(path, what: "initrd")
        }
        let placement = try place(config, kernel: kernel, initrdSize: initrdFile?.size)
        kernelFile.address = placement.kernelAddress
        var files = [kernelFile]
        if var initrd = initrdFile, let range = placement.initrd {
            initrd.address = range.lowerBound
            files.append(initrd)
        }
        return PlacedBootFiles(placement: placement, files: files)
    }

    /// The guest of `placed` with its device tree, generated for the machine's devices.
    static func prepareLinuxFiles(
        _ config: RunConfig, _ placed: PlacedBootFiles, devices: [DeviceTreeContribution]
    ) throws(MachineError) -> Loaded {
        let placement = placed.placement
        let dtb = try deviceTree(config, placement: placement, devices: devices)
        return Loaded(
            entry: placement.kernelAddress, pstate: nil, x0: placement.dtbAddress, dtb: dtb,
            pieces: [("device tree", dtb, placement.dtbAddress)], files: placed.files)
    }
}
