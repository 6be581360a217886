/// A vCPU's register values, keyed by ONE_REG id (never by position: register lists differ between
/// kernels and hosts). Ids the table does not name are kept too, so nothing read from KVM is lost.
public struct RegisterFile: Hashable, Sendable {
    /// The values, by id.
    public private(set) var values: [OneRegID: RegisterValue] = [:]

    public init() {}

    /// The value of a register, by id.
    public subscript(id: OneRegID) -> RegisterValue? {
        get { values[id] }
        set { values[id] = newValue }
    }

    /// The value of a register as up to 128 bits. Setting stores `descriptor.width` bytes, so a
    /// FEAT_D128 register keeps its high half even though KVM transfers only 64 bits of it.
    public subscript(descriptor: RegisterDescriptor) -> UInt128? {
        get { values[descriptor.id]?.u128 }
        set {
            values[descriptor.id] = newValue.map {
                RegisterValue(u128: $0, byteCount: min(descriptor.width.byteCount, 16))
            }
        }
    }

    /// The value of a register as up to 128 bits, by handle; stores `register.width` bytes like the
    /// descriptor subscript.
    public subscript(register: SysReg) -> UInt128? {
        get { values[register.id]?.u128 }
        set {
            values[register.id] = newValue.map {
                RegisterValue(u128: $0, byteCount: min(register.width.byteCount, 16))
            }
        }
    }

    /// The value of a named register (case-insensitive), if the table knows it and the file has it.
    public subscript(name: String) -> UInt128? {
        get { RegisterTable.named(name).flatMap { self[$0] } }
        set {
            if let d = RegisterTable.named(name) { self[d] = newValue }
        }
    }

    /// The ids present, sorted.
    public var ids: [OneRegID] { values.keys.sorted() }

    public var count: Int { values.count }
}
