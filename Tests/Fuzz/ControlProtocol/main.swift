// Fuzz target: the control protocol decoder (docs/control-protocol.md), as the server meets a client's
// bytes and a client meets the server's. Any input must decode or be refused with a
// ControlProtocolError; a request that decodes must re-encode to exactly the same bytes (the encoding
// is canonical, so two different byte strings never mean the same request).
@testable import VMM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let frame = try? ControlFrame.decode(bytes, limit: ControlFrame.maxRequestPayload) {
        if let request = try? ControlRequest(frame: frame) {
            precondition(request.frame().encoded() == bytes, "a request's encoding is not canonical")
        }
        if let response = try? ControlResponse(frame: frame) {
            // Error messages are shown, so invalid UTF-8 is replaced rather than refused: only valid
            // text must come back byte for byte.
            if case .error = response, String(validating: frame.payload, as: UTF8.self) == nil {
            } else {
                precondition(response.frame() == frame, "a response does not round-trip")
            }
        }
    }
    // The payload alone, as the server decodes it after reading the header.
    if let request = try? ControlRequest(payload: bytes) {
        precondition(request.frame().payload == bytes, "a request payload is not canonical")
    }
    return 0
}
