/// Minimal JSON writing shared by span encoding and log lines, into UTF-8 bytes.
///
/// Hand-written rather than `JSONEncoder` because both run on every request path and need a fixed key order.
/// Nested objects and arrays are written into the same buffer (`beginObject` … `end`), so a whole span is one
/// allocation.
struct JSONText {
    private(set) var bytes: [UInt8]
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func field(_ key: String, _ value: String) {
        separator(key)
        Self.appendQuoted(value, to: &bytes)
    }

    mutating func field(_ key: String, _ value: UInt64) {
        separator(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ key: String, _ value: Bool) {
        separator(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `"key":"<hex>"` with 16 lowercase hex digits per word, written straight into the buffer (span and trace IDs).
    mutating func field(_ key: String, hexWords words: UInt64...) {
        separator(key)
        bytes.append(UInt8(ascii: "\""))
        for word in words {
            for shift in stride(from: 60, through: 0, by: -4) { bytes.append(Self.hexDigits[Int((word >> UInt64(shift)) & 0xf)]) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Inserts already-encoded JSON.
    mutating func field(_ key: String, raw: String) {
        separator(key)
        bytes.append(contentsOf: raw.utf8)
    }

    /// Opens `"key":{`; members follow until `endObject`.
    mutating func beginObject(_ key: String) {
        separator(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Opens `"key":[`; elements (`beginElementObject`) follow until `endArray`.
    mutating func beginArray(_ key: String) {
        separator(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Opens an object as the next element of the open array.
    mutating func beginElementObject() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// The closed outermost object.
    func finishedBytes() -> [UInt8] { bytes + [UInt8(ascii: "}")] }

    func finished() -> String { String(decoding: finishedBytes(), as: UTF8.self) }

    private mutating func separator(_ key: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        Self.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8259 string escaping: quotes, backslash and every control character.
    static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most values (names, IDs, tags) need no escaping: copied whole rather than byte by byte.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output.append(contentsOf: value.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xf)])
            default: output.append(byte)  // UTF-8 of everything else passes through unchanged
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    static func appendQuoted(_ value: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
