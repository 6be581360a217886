import Synchronization
import Testing

@testable import VMM

/// InterruptLine's two modes: KVM_IRQ_LINE drives both levels once per change; a resampling irqfd is
/// only ever raised, and raised again on resample while the device still wants service.
@Suite struct InterruptLineTests {
    /// Records what a line did.
    final class Log: Sendable {
        let events = Mutex<[String]>([])
        func add(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }
    }

    @Test func irqLineDrivesEachChangeOnce() {
        let log = Log()
        let line = InterruptLine { high in log.add(high ? "high" : "low") }
        line.set(true)
        line.set(true)
        line.set(false)
        line.set(false)
        line.resampled()
        line.set(true)
        #expect(log.all == ["high", "low", "high"])
    }

    @Test func irqfdLineRaisesOnlyAndReRaisesOnResampleWhileWanted() {
        let log = Log()
        let line = InterruptLine(raise: { log.add("raise") })
        line.resampled()  // nothing wanted yet: a resample (a spurious EOI) raises nothing
        #expect(log.all.isEmpty)
        line.set(true)
        line.set(true)
        #expect(log.all == ["raise"])
        // The guest completed the interrupt without acknowledging InterruptStatus: raise again.
        line.resampled()
        #expect(log.all == ["raise", "raise"])
        // InterruptACK cleared the status: lowering is KVM's (at EOI), so nothing is driven, and the
        // resample that follows the EOI raises nothing.
        line.set(false)
        line.resampled()
        #expect(log.all == ["raise", "raise"])
        line.set(true)
        #expect(log.all == ["raise", "raise", "raise"])
    }
}
