/// The one place a request becomes bytes and back (docs/control-protocol.md, "Requests"): the verb as
/// a length-prefixed name, then the verb's fields in order.
extension ControlRequest {
    /// The name this request travels under.
    public var verb: ControlVerb {
        switch self {
        case .status: .status
        case .pause: .pause
        case .resume: .resume
        case .dumpRegs: .dumpRegs
        case .snapshot: .snapshot
        case .shutdown: .shutdown
        case .readMemory: .readMemory
        }
    }

    /// Appends this request's fields after its verb.
    func encodeFields(into w: inout SnapshotByteWriter) {
        switch self {
        case .status, .pause, .resume, .dumpRegs, .shutdown: break
        case .snapshot(let directory, let then, let base):
            w.string(directory)
            w.u8(then.rawValue)
            // Optional and last: a full snapshot's request is exactly what it was before `base` existed.
            if let base { w.string(base) }
        case .readMemory(let address, let count):
            w.u64(address)
            w.u32(count)
        }
    }

    /// Reads the fields `verb` defines.
    static func decodeFields(
        _ verb: ControlVerb, _ r: inout ControlFieldReader
    ) throws(ControlProtocolError) -> ControlRequest {
        switch verb {
        case .status: .status
        case .pause: .pause
        case .resume: .resume
        case .dumpRegs: .dumpRegs
        case .shutdown: .shutdown
        case .snapshot:
            .snapshot(
                directory: try r.path("directory"), then: try r.enumeration(AfterSnapshot.self, "then"),
                base: r.remaining > 0 ? try r.path("base") : nil)
        case .readMemory: .readMemory(address: try r.u64("address"), count: try r.u32("count"))
        }
    }

    /// The request as one frame.
    public func frame() -> ControlFrame {
        var w = SnapshotByteWriter()
        let name = Array(verb.rawValue.utf8)
        w.u16(UInt16(name.count))
        w.raw(name)
        encodeFields(into: &w)
        return ControlFrame(kind: .request, payload: w.bytes)
    }

    /// Decodes a request frame's payload: a known verb, its fields, nothing after them.
    public init(payload: [UInt8]) throws(ControlProtocolError) {
        var r = ControlFieldReader(payload)
        let length = Int(try r.u16("verb length"))
        let nameBytes = try r.raw(length, "verb")
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard let verb = ControlVerb(rawValue: name) else { throw .unknownVerb(name) }
        self = try Self.decodeFields(verb, &r)
        guard r.remaining == 0 else { throw .trailingBytes(verb: name, count: r.remaining) }
    }

    /// Decodes a whole request frame (header and payload).
    public init(frame: ControlFrame) throws(ControlProtocolError) {
        guard frame.kind == .request else { throw .unexpectedKind(frame.kind.rawValue) }
        try self.init(payload: frame.payload)
    }
}
