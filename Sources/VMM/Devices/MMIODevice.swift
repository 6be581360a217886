/// A device model behind an `MMIOBus` mapping. The bus has already checked the access size
/// (1, 2, 4 or 8) and that the access lies inside the device's range; `offset` is relative to the
/// device's base. Devices never fail an access: what real hardware does for an odd access
/// (read as zero, ignore the write) is the model's business.
public protocol MMIODevice: AnyObject {
    /// Returns `size` bytes read at `offset`, little-endian in the low bytes of the result.
    func mmioRead(offset: UInt64, size: Int) -> UInt64
    /// Writes the low `size` bytes of `value` at `offset`.
    func mmioWrite(offset: UInt64, size: Int, value: UInt64)
}
