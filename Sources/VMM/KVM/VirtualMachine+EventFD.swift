import CKVM
import SysRegs

/// Doorbells and interrupts that bypass userspace exits (api.rst "KVM_IOEVENTFD", "KVM_IRQFD").
///
/// KVM takes its own reference to each eventfd, so a registration outlives the caller's fd; but
/// unregistering names the fd, so keep the `EventFD` until then.
extension VirtualMachine {
    /// The access widths an ioeventfd can match; 0 matches a write of any width (not with datamatch).
    static let ioEventFDLengths: Set<Int> = [0, 1, 2, 4, 8]

    /// Makes a guest write of `length` bytes at MMIO address `address` signal `event` instead of
    /// exiting to userspace: the vCPU carries on at once and whoever waits on `event` does the work.
    /// With `datamatch`, only a write of exactly that value signals; any other value exits as MMIO as
    /// before. The address must not be covered by a memory slot (writes there never trap).
    /// The corresponding ioctl is `KVM_IOEVENTFD`.
    /// - Throws: `KVMError.ioctl` (EEXIST: the same address, length and datamatch is already
    ///   registered; ENOSPC: the MMIO bus is full), or `.invalidConfiguration` for a bad length.
    public func registerIOEventFD(
        _ event: EventFD, address: UInt64, length: Int, datamatch: UInt64? = nil
    ) throws {
        try ioEventFD(event, address: address, length: length, datamatch: datamatch, deassign: false)
    }

    /// Removes the registration that `registerIOEventFD` made with the same arguments.
    /// The corresponding ioctl is `KVM_IOEVENTFD`.
    /// - Throws: `KVMError.ioctl` (ENOENT: no such registration).
    public func unregisterIOEventFD(
        _ event: EventFD, address: UInt64, length: Int, datamatch: UInt64? = nil
    ) throws {
        try ioEventFD(event, address: address, length: length, datamatch: datamatch, deassign: true)
    }

    private func ioEventFD(
        _ event: EventFD, address: UInt64, length: Int, datamatch: UInt64?, deassign: Bool
    ) throws {
        guard Self.ioEventFDLengths.contains(length), !(length == 0 && datamatch != nil) else {
            throw KVMError.invalidConfiguration(
                "ioeventfd \(event.name): length \(length) (1, 2, 4 or 8 bytes, or 0 for any without datamatch)")
        }
        var flags: UInt32 = deassign ? CKVM_IOEVENTFD_FLAG_DEASSIGN : 0
        if datamatch != nil { flags |= CKVM_IOEVENTFD_FLAG_DATAMATCH }
        var request = ckvm_ioeventfd()
        request.datamatch = datamatch ?? 0
        request.addr = address
        request.len = UInt32(length)
        request.fd = event.fd
        request.flags = flags
        var target = "\(event.name) @\(hexShort(address))+\(length)"
        if let datamatch { target += " == \(hexShort(datamatch))" }
        if deassign { target += ", deassign" }
        try KVMCall.perform(KVMIoctl.ioEventFD.on(target), fd: fd, pointingTo: &request)
    }

    /// Makes a signal of `event` inject the shared peripheral interrupt `line` into the in-kernel vGIC,
    /// from any thread and without an ioctl per interrupt.
    ///
    /// arm64 numbering: the irqfd's `gsi` is not the INTID. KVM's default routing maps gsi N to
    /// irqchip pin N, and the vGIC injects pin + 32 (api.rst "KVM_IRQFD": "irqchip.pin + 32 corresponds
    /// to the injected SPI ID"), so gsi = INTID - 32. Only SPIs can be injected this way.
    ///
    /// Without `resample`, each signal raises the line and nothing lowers it: on the lab's kernel
    /// (7.2.13) KVM injects an SPI straight from the eventfd wakeup at level 1 only (older kernels
    /// raised and lowered it from a work item). That pends an edge-configured SPI (GICD_ICFGR) once
    /// per signal, which is what a plain irqfd is for; a level-sensitive SPI is left stuck high.
    /// With `resample` (`KVM_CAP_IRQFD_RESAMPLE`), the line stays raised until the guest completes the
    /// interrupt; KVM then lowers it and signals `resample`, so the device can re-check and signal
    /// again if it still wants service: level-triggered semantics. Deassigning it lowers the line.
    /// The corresponding ioctl is `KVM_IRQFD`.
    /// - Throws: `KVMError.ioctl` (EBUSY: `event` already injects an interrupt; EINVAL: no such SPI or
    ///   no in-kernel vGIC), or `.invalidConfiguration` for a non-SPI line.
    public func registerIRQFD(_ event: EventFD, line: IRQLine, resample: EventFD? = nil) throws {
        var request = ckvm_irqfd()
        request.fd = UInt32(bitPattern: event.fd)
        request.gsi = try Self.gsi(of: line, for: event)
        if let resample {
            request.flags = CKVM_IRQFD_FLAG_RESAMPLE
            request.resamplefd = UInt32(bitPattern: resample.fd)
        }
        let mode = resample.map { ", resample \($0.name)" } ?? ""
        try KVMCall.perform(
            KVMIoctl.irqFD.on("\(event.name) -> \(line) (gsi \(request.gsi))\(mode)"), fd: fd, pointingTo: &request)
    }

    /// Stops `event` injecting `line`. The corresponding ioctl is `KVM_IRQFD`.
    /// - Throws: `KVMError.ioctl`; deassigning a registration that does not exist succeeds.
    public func unregisterIRQFD(_ event: EventFD, line: IRQLine) throws {
        var request = ckvm_irqfd()
        request.fd = UInt32(bitPattern: event.fd)
        request.gsi = try Self.gsi(of: line, for: event)
        request.flags = CKVM_IRQFD_FLAG_DEASSIGN
        try KVMCall.perform(
            KVMIoctl.irqFD.on("\(event.name) -> \(line) (gsi \(request.gsi)), deassign"), fd: fd, pointingTo: &request)
    }

    /// The irqfd gsi of an SPI: INTID - 32 (see `registerIRQFD`).
    static func gsi(of line: IRQLine, for event: EventFD) throws -> UInt32 {
        guard line.kind == .spi, line.number >= 32, line.number < 1020 else {
            throw KVMError.invalidConfiguration("irqfd \(event.name): \(line) is not an SPI (INTID 32...1019)")
        }
        return UInt32(line.number) - 32
    }
}
