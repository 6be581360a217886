/// The 4 KiB VNCR_EL2 page: the memory image in which FEAT_NV2 hardware (and KVM) keeps a guest
/// hypervisor's EL1/EL2 context, so that its `MRS`/`MSR` become loads and stores (Arm ARM D8.12).
///
/// Little-endian. Slot offsets come from the register table (`RegisterDescriptor.vncrOffset`);
/// 128-bit registers (VTTBR_EL2, TTBR0_EL1, TTBR1_EL1) occupy 16-byte slots.
public struct VNCRPage: Hashable, Sendable {
    /// The page size; VNCR_EL2.BADDR is 4 KiB aligned.
    public static let size = 4096

    /// The page contents.
    public private(set) var bytes: [UInt8]

    /// An all-zero page.
    public init() { bytes = Array(repeating: 0, count: Self.size) }

    /// A page from exactly 4096 bytes.
    public init(bytes: [UInt8]) throws(VNCRPageError) {
        guard bytes.count == Self.size else { throw .wrongSize(bytes.count) }
        self.bytes = bytes
    }

    /// Renders the VNCR-backed registers of `file` into a page; registers the file lacks stay zero.
    public init(rendering file: RegisterFile) {
        self.init()
        for d in RegisterTable.vncrLayout {
            if let v = file[d] { self[d] = v }
        }
    }

    /// Parses every VNCR-backed register out of the page.
    public func registerFile() -> RegisterFile {
        var file = RegisterFile()
        for d in RegisterTable.vncrLayout { file[d] = self[d] }
        return file
    }

    /// Reads or writes `byteCount` bytes at `offset` (little-endian). Out-of-page accesses read as 0
    /// and are ignored on write: offsets come from the table, whose bounds are a tested invariant.
    public subscript(offset offset: Int, byteCount byteCount: Int) -> UInt128 {
        get {
            guard offset >= 0, byteCount <= 16, offset + byteCount <= Self.size else { return 0 }
            var v: UInt128 = 0
            for i in 0..<byteCount { v |= UInt128(bytes[offset + i]) << (8 * UInt128(i)) }
            return v
        }
        set {
            guard offset >= 0, byteCount <= 16, offset + byteCount <= Self.size else { return }
            for i in 0..<byteCount { bytes[offset + i] = UInt8(truncatingIfNeeded: newValue >> (8 * UInt128(i))) }
        }
    }

    /// The register's slot, or nil when it has none.
    public subscript(descriptor: RegisterDescriptor) -> UInt128? {
        get {
            descriptor.vncrOffset.map { self[offset: $0, byteCount: min(descriptor.width.byteCount, 16)] }
        }
        set {
            guard let off = descriptor.vncrOffset else { return }
            self[offset: off, byteCount: min(descriptor.width.byteCount, 16)] = newValue ?? 0
        }
    }
}

/// Why bytes are not a VNCR page.
public enum VNCRPageError: Error, Hashable, CustomStringConvertible {
    case wrongSize(Int)

    public var description: String {
        switch self {
        case .wrongSize(let n): return "a VNCR page is \(VNCRPage.size) bytes, got \(n)"
        }
    }
}
