/// Serving queue notifications: pop each available chain, hand it to the backend, return it in the
/// used ring, and interrupt the driver when it asked for one.
extension VirtioMMIOTransport {
    /// Whether the driver has a running device: DRIVER_OK, and not DEVICE_NEEDS_RESET. Before that the
    /// device must not consume buffers (§3.1.1, §2.1.2).
    var isLive: Bool {
        status & VirtioMMIO.Status.DRIVER_OK != 0 && status & VirtioMMIO.Status.DEVICE_NEEDS_RESET == 0
    }

    /// The driver notified `queue` (its ioeventfd fired): serve everything it made available.
    /// Synchronous: when this returns, every request taken has completed and been returned, which is
    /// why holding the device's lock is enough to quiesce the device for a snapshot.
    public func notify(queue index: Int) {
        guard isLive, index < queues.count, queues[index].ready, let memory else { return }
        let eventIndex = negotiated & VirtioMMIO.Feature.VIRTIO_F_EVENT_IDX != 0
        var queue = queues[index]
        let firstUsed = queue.usedIndex
        do throws(VirtqueueError) {
            var more = true
            while more {
                while let chain = try queue.popChain(memory) {
                    let written = try backend.serve(chain, queue: index, memory: memory, warn: report)
                    try queue.pushUsed(head: chain.head, written: written, memory)
                }
                more = eventIndex ? try queue.publishAvailEvent(memory) : false
            }
            queues[index] = queue
            if try queue.needsInterrupt(since: firstUsed, eventIndex: eventIndex, memory) {
                setInterruptStatus(interruptStatus | VirtioMMIO.Interrupt.usedBuffer)
            }
        } catch {
            queues[index] = queue
            // Requests completed before the bad one are the driver's to collect.
            if queue.usedIndex != firstUsed { setInterruptStatus(interruptStatus | VirtioMMIO.Interrupt.usedBuffer) }
            needsReset(error)
        }
    }

    /// Serves every ready queue: after a restore, a notification the guest made just before the
    /// snapshot may not have reached the device, and serving an empty queue does nothing.
    func serveAllQueues() {
        for index in queues.indices { notify(queue: index) }
    }
}
