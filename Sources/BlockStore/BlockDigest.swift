import Crypto

/// A block's address: the SHA-256 of its (uncompressed) bytes.
public struct BlockDigest: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps a 32-byte digest; anything else is refused so a malformed id never becomes a path.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw BlockStoreError(.invalidDigest, "a SHA-256 digest is 32 bytes, not \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses 64 lowercase or uppercase hex digits.
    public init(hex: String) throws {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { throw BlockStoreError(.invalidDigest, "a SHA-256 digest is 64 hex digits") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[i]), let low = Self.nibble(digits[i + 1]) else {
                throw BlockStoreError(.invalidDigest, "'\(hex)' is not hex")
            }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The digest of `data`.
    public static func of(_ data: [UInt8]) -> BlockDigest {
        try! BlockDigest(bytes: Array(SHA256.hash(data: data)))
    }

    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
