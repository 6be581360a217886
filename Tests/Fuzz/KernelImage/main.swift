// Fuzz target: the arm64 kernel Image header loader (booting.rst). Any input is accepted or refused with
// a KernelImageError; what is accepted has a sane load size and alignment.
@testable import VMM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? KernelImage(bytes)
    return 0
}
