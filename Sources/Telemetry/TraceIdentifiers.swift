/// A Zipkin trace ID: 128 bits, or 64 bits when a peer sent the short form (kept so we echo what we got).
public struct TraceID: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    /// False only for IDs extracted from a 16-character header; those are propagated unchanged.
    public let is128Bit: Bool

    public init(high: UInt64, low: UInt64, is128Bit: Bool = true) {
        self.high = is128Bit ? high : 0
        self.low = low
        self.is128Bit = is128Bit
    }

    /// A fresh random 128-bit ID; never all zeros, which B3 reserves as invalid.
    public static func random() -> TraceID {
        TraceRandom.shared.withLock { TraceID(high: $0.next(), low: $0.nonZero()) }
    }

    /// Parses 16 or 32 lowercase hex characters; anything else (and all zeros) is nil.
    public init?(hex: Substring) {
        let utf8 = hex.utf8
        switch utf8.count {
        case 32:
            guard let high = HexCodec.parse(hex.prefix(16)), let low = HexCodec.parse(hex.suffix(16)) else { return nil }
            guard high != 0 || low != 0 else { return nil }
            self.init(high: high, low: low)
        case 16:
            guard let low = HexCodec.parse(hex), low != 0 else { return nil }
            self.init(high: 0, low: low, is128Bit: false)
        default:
            return nil
        }
    }

    /// Lowercase hex: 32 characters, or 16 for a propagated 64-bit ID.
    public var description: String {
        is128Bit ? HexCodec.format(high) + HexCodec.format(low) : HexCodec.format(low)
    }
}

/// A Zipkin span ID: 64 bits, never zero.
public struct SpanID: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init?(_ value: UInt64) {
        guard value != 0 else { return nil }
        self.value = value
    }

    public static func random() -> SpanID {
        SpanID(TraceRandom.shared.withLock { $0.nonZero() })!
    }

    /// Parses exactly 16 lowercase hex characters.
    public init?(hex: Substring) {
        guard hex.utf8.count == 16, let value = HexCodec.parse(hex) else { return nil }
        self.init(value)
    }

    public var description: String { HexCodec.format(value) }
}

extension RandomNumberGenerator {
    mutating func nonZero() -> UInt64 {
        while true {
            let value: UInt64 = next()
            if value != 0 { return value }
        }
    }
}

/// Strict lowercase hex, as B3 and Zipkin require; uppercase is malformed input, not a variant.
enum HexCodec {
    private static let digits = Array("0123456789abcdef".utf8)

    static func parse(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    static func format(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                buffer[index] = digits[Int((value >> UInt64(60 - 4 * index)) & 0xf)]
            }
            return 16
        }
    }
}
