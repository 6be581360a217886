// Fuzz target: the flattened device tree parser (FDT+Parsing.swift). Any input parses or is refused
// with an FDTError, never a trap, an unbounded recursion or allocation.
@testable import VMM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? FDT.parse(bytes)
    return 0
}
