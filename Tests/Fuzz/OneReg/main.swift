// Fuzz target: ONE_REG id and value decoding, as a snapshot or KVM_GET_REG_LIST hands them to us: the
// first 8 bytes are the id (little-endian), the rest the value. Every accessor of the id, the register
// table lookup, the value's integer views and the field decoders must take any bits.
import SysRegs

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 8 else { return 0 }
    var raw: UInt64 = 0
    for i in 0..<8 { raw |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    let id = OneRegID(raw)
    _ = (id.isARM64, id.byteCount, id.coproc, id.index, id.sysRegEncoding)
    let value = RegisterValue(bytes: Array(bytes[8...]))
    _ = (value.u64, value.u128, value.description)
    if let descriptor = RegisterTable.descriptor(for: id), let layout = FieldCatalog.layout(for: descriptor.name) {
        _ = layout.decode(value.u128).count
    }
    _ = RegisterTable.lookup(id)
    return 0
}
