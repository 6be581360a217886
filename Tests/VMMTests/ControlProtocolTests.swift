import Testing

@testable import VMM

/// The control protocol's encoding (docs/control-protocol.md): every request round-trips exactly, for
/// any path, and malformed frames are refused with the reason.
@Suite struct ControlProtocolTests {
    static let awkwardPaths = [
        "/tmp/two  spaces", "/tmp/ends with pause", "/tmp/x pause", "/tmp/x resume", "/tmp/x stop",
        "/tmp/line\nbreak", " leading", "trailing ", "/tmp/ünïcödé/✓", "/tmp/a\tb",
    ]

    @Test(arguments: awkwardPaths)
    func snapshotPathsRoundTrip(path: String) throws {
        for then in ControlRequest.AfterSnapshot.allCases {
            let request = ControlRequest.snapshot(directory: path, then: then)
            let frame = try ControlFrame.decode(request.frame().encoded(), limit: ControlFrame.maxRequestPayload)
            #expect(try ControlRequest(frame: frame) == request)
        }
    }

    @Test(arguments: awkwardPaths)
    func incrementalSnapshotsCarryTheirBase(base: String) throws {
        let request = ControlRequest.snapshot(directory: "/s", then: .pause, base: base)
        #expect(try ControlRequest(frame: request.frame()) == request)
        // A full snapshot's request is what it was before the field existed: nothing after `then`.
        let full = ControlRequest.snapshot(directory: "/s", then: .pause).frame().payload
        #expect(Array(request.frame().payload.prefix(full.count)) == full)
        #expect(request.frame().payload.count == full.count + 4 + base.utf8.count)
    }

    @Test func anEmptyOrTruncatedBaseIsRefused() throws {
        var payload = ControlRequest.snapshot(directory: "/s", then: .stop).frame().payload
        payload += [0, 0, 0, 0]  // a base of zero bytes
        #expect(throws: ControlProtocolError.self) { try ControlRequest(payload: payload) }
        let cut = Array(ControlRequest.snapshot(directory: "/s", then: .stop, base: "/b").frame().payload.dropLast())
        #expect(throws: ControlProtocolError.self) { try ControlRequest(payload: cut) }
    }

    @Test func everyVerbRoundTrips() throws {
        let requests: [ControlRequest] = [
            .status, .pause, .resume, .dumpRegs, .shutdown, .snapshot(directory: "/s", then: .stop),
            .readMemory(address: 0x4000_0000, count: 4096),
        ]
        #expect(Set(requests.map(\.verb)) == Set(ControlVerb.allCases))
        for request in requests {
            #expect(try ControlRequest(frame: request.frame()) == request)
        }
    }

    @Test func responsesRoundTrip() throws {
        let responses: [ControlResponse] = [
            .progress(done: 5, total: 1 << 40), .ok([]), .ok([0, 1, 0x0A, 0xFF]), .error("no such directory"),
        ]
        for response in responses {
            let frame = try ControlFrame.decode(response.frame().encoded(), limit: ControlFrame.maxReplyPayload)
            #expect(try ControlResponse(frame: frame) == response)
        }
    }

    @Test func anOldTextRequestIsRefusedNamingTheMagic() {
        #expect(throws: ControlProtocolError.badMagic(Array("paus".utf8))) {
            try ControlFrame.decodeHeader(Array("pause\n\n\n\n\n\n\n".utf8), limit: 1 << 16)
        }
    }

    @Test func anotherVersionIsRefusedNamingBoth() {
        var bytes = ControlRequest.pause.frame().encoded()
        bytes[4] = 2
        #expect(throws: ControlProtocolError.unsupportedVersion(2)) {
            try ControlFrame.decodeHeader(bytes, limit: 1 << 16)
        }
        #expect(ControlProtocolError.unsupportedVersion(2).description.contains("version 1"))
    }

    @Test func anOversizedRequestIsRefusedFromTheHeader() {
        var bytes = ControlRequest.pause.frame().encoded()
        bytes[8...11] = [0, 0, 0, 1]  // 16 MiB
        #expect(throws: ControlProtocolError.tooLong(length: 1 << 24, limit: ControlFrame.maxRequestPayload)) {
            try ControlFrame.decodeHeader(bytes, limit: ControlFrame.maxRequestPayload)
        }
    }

    @Test func unknownVerbsTrailingBytesAndBadFieldsAreNamed() {
        func payload(_ verb: String, _ tail: [UInt8] = []) -> [UInt8] {
            var w = SnapshotByteWriter()
            w.u16(UInt16(verb.utf8.count))
            w.raw(Array(verb.utf8))
            w.raw(tail)
            return w.bytes
        }
        #expect(throws: ControlProtocolError.unknownVerb("reboot")) { try ControlRequest(payload: payload("reboot")) }
        #expect(throws: ControlProtocolError.trailingBytes(verb: "pause", count: 1)) {
            try ControlRequest(payload: payload("pause", [0]))
        }
        // then = 7 is no AfterSnapshot.
        #expect(throws: ControlProtocolError.badField(field: "then", reason: "value 7 is not one of 0..<3")) {
            try ControlRequest(payload: payload("snapshot", [1, 0, 0, 0, 0x41, 7]))
        }
        #expect(throws: ControlProtocolError.badField(field: "directory", reason: "empty path")) {
            try ControlRequest(payload: payload("snapshot", [0, 0, 0, 0, 0]))
        }
        #expect(throws: ControlProtocolError.badField(field: "directory", reason: "path contains a NUL byte")) {
            try ControlRequest(payload: payload("snapshot", [2, 0, 0, 0, 0x41, 0, 0]))
        }
        // A string length past the end: refused, nothing reserved.
        #expect(throws: ControlProtocolError.truncated(what: "directory", needed: 0x7fff_ffff, available: 1)) {
            try ControlRequest(payload: payload("snapshot", [0xff, 0xff, 0xff, 0x7f, 0]))
        }
    }

    @Test func peerPolicyAllowsOnlyTheOwnerAndRoot() {
        #expect(UnixSocket.mayTalk(peer: 1000, own: 1000))
        #expect(UnixSocket.mayTalk(peer: 0, own: 1000))
        #expect(!UnixSocket.mayTalk(peer: 1001, own: 1000))
        #expect(!UnixSocket.mayTalk(peer: 1000, own: 0))
    }
}
