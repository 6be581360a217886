// Fuzz target: the snapshot state decoder (state.vmmsnap, docs/snapshot-format.md). Any input decodes or
// is refused with a SnapshotError, never a trap or an unbounded allocation; a state that decodes
// survives its own encoding unchanged.
@testable import VMM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let state = try? SnapshotCodec.decode(bytes) else { return 0 }
    let again = try? SnapshotCodec.decode(SnapshotCodec.encode(state))
    precondition(again == state, "a decoded state does not survive its own encoding")
    return 0
}
