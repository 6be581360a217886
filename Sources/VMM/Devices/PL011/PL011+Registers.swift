extension PL011 {
    /// Register offsets (Arm PrimeCell UART (PL011) Technical Reference Manual, DDI0183, §3.2).
    public enum Register: UInt64, Sendable {
        case DR = 0x000
        /// UARTRSR on read, UARTECR on write.
        case RSR_ECR = 0x004
        case FR = 0x018
        case ILPR = 0x020
        case IBRD = 0x024
        case FBRD = 0x028
        case LCR_H = 0x02C
        case CR = 0x030
        case IFLS = 0x034
        case IMSC = 0x038
        case RIS = 0x03C
        case MIS = 0x040
        case ICR = 0x044
        case DMACR = 0x048
    }

    /// UARTFR bits.
    public enum Flag {
        public static let BUSY: UInt32 = 1 << 3
        public static let RXFE: UInt32 = 1 << 4
        public static let TXFF: UInt32 = 1 << 5
        public static let RXFF: UInt32 = 1 << 6
        public static let TXFE: UInt32 = 1 << 7
    }

    /// Interrupt bits, shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR.
    public enum Interrupt {
        public static let RX: UInt32 = 1 << 4
        public static let TX: UInt32 = 1 << 5
        /// Receive timeout: data is waiting below the trigger level.
        public static let RT: UInt32 = 1 << 6
        public static let OE: UInt32 = 1 << 10
        /// Every defined bit (modem status, RX, TX, RT, FE, PE, BE, OE).
        public static let all: UInt32 = 0x7ff
    }

    /// UARTLCR_H.FEN: FIFOs enabled; with it clear the FIFOs are one-entry holding registers.
    public static let LCR_H_FEN: UInt32 = 1 << 4
    /// UARTCR.LBE: loopback, transmitted bytes are received.
    public static let CR_LBE: UInt32 = 1 << 7
    /// UARTCR at reset: TXE and RXE set, UARTEN clear.
    public static let CRResetValue: UInt32 = 0x0300
    /// UARTIFLS at reset: both trigger levels at half full.
    public static let IFLSResetValue: UInt32 = 0x12

    /// UARTPeriphID0-3 then UARTPCellID0-3 at 0xFE0-0xFFC: part 0x011, designer Arm (0x41),
    /// revision 3 (r1p5, whose FIFOs are 32 deep; Linux sizes its FIFO from this revision), and the
    /// PrimeCell signature 0xB105F00D that Linux's amba bus checks before probing.
    public static let identification: [UInt32] = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]
    static let identificationBase: UInt64 = 0xFE0
}
