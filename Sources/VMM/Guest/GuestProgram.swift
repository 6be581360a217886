/// A guest program ready to be copied into guest RAM and run on one vCPU.
public struct GuestProgram: Hashable, Sendable {
    /// For messages: "EL1 demo", "nested demo".
    public let name: String
    /// The image, to be copied to `loadAddress`.
    public let bytes: [UInt8]
    /// Guest physical address of `bytes[0]`.
    public let loadAddress: UInt64
    /// The PC to start the vCPU at; inside `bytes`.
    public let entryPoint: UInt64
    /// The PSTATE the program expects at entry (KVM's reset value for the vCPU kind it needs: 0x3c5 is EL1h,
    /// 0x3c9 EL2h, both with D, A, I and F masked).
    public let entryPSTATE: UInt64
    /// What the program prints on the console when it runs as intended, byte for byte.
    public let expectedOutput: String
    /// Guest physical addresses of named places in the image (vectors, entry points, tables), for tests and
    /// for debugging a run that went wrong.
    public let symbols: [String: UInt64]

    public init(
        name: String, bytes: [UInt8], loadAddress: UInt64, entryPoint: UInt64, entryPSTATE: UInt64,
        expectedOutput: String, symbols: [String: UInt64] = [:]
    ) {
        self.name = name
        self.bytes = bytes
        self.loadAddress = loadAddress
        self.entryPoint = entryPoint
        self.entryPSTATE = entryPSTATE
        self.expectedOutput = expectedOutput
        self.symbols = symbols
    }

    /// One past the last byte of the image.
    public var endAddress: UInt64 { loadAddress + UInt64(bytes.count) }
}
