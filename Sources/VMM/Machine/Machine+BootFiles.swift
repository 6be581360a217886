extension Machine {
    /// Checks and places a Linux guest named by file paths (`RunConfig.Payload.linuxFiles`) without
    /// touching KVM: only the kernel's header (an Image's, or the first bytes of a raw payload) is read now; `load(_:into:)` reads both files straight
    /// into guest RAM once it exists.
    static func prepareLinuxFiles(
        _ config: RunConfig, kernel kernelPath: String, initrd initrdPath: String?, devices: [DeviceTreeContribution]
    ) throws(MachineError) -> Loaded {
        var kernelFile = try BootFile(kernelPath, what: "kernel image")
        let header = try kernelFile.prefix(KernelImage.headerProbeSize)
        let kernel: KernelFile
        do { kernel = try KernelFile(prefix: header, fileSize: kernelFile.size) } catch {
            throw .badGuest("\(error)")
        }
        let initrdFile = try initrdPath.map { (path: String) throws(MachineError) in
            try BootFile(path, what: "initrd")
        }
        let (placement, dtb) = try prepareLinux(
            config, kernel: kernel, initrdSize: initrdFile?.size, devices: devices)
        kernelFile.address = placement.kernelAddress
        var files = [kernelFile]
        if var initrd = initrdFile, let range = placement.initrd {
            initrd.address = range.lowerBound
            files.append(initrd)
        }
        return Loaded(
            entry: placement.kernelAddress, pstate: nil, x0: placement.dtbAddress, dtb: dtb,
            pieces: [("device tree", dtb, placement.dtbAddress)], files: files)
    }
}
