/// Minimal JSON writing shared by span encoding, log lines and the gateway's busiest REST representations, into
/// UTF-8 bytes.
///
/// Hand-written rather than `JSONEncoder` because all run on every request path (for a listing of files,
/// `JSONEncoder` was a fifth of the gateway's CPU) and spans and log lines need a fixed key order.
/// Nested objects and arrays are written into the same buffer (`beginObject` … `end`), so a whole span is one
/// allocation.
public struct JSONText {
    @usableFromInline var bytes: [UInt8]
    /// Whether the next member or element needs a comma before it.
    @usableFromInline var needsComma = false

    @inlinable public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    @inlinable public mutating func field(_ key: some JSONKey, _ value: String) {
        separator(key)
        Self.appendQuoted(value, to: &bytes)
    }

    @inlinable public mutating func field(_ key: some JSONKey, _ value: UInt64) {
        separator(key)
        Self.appendDecimal(value, to: &bytes)
    }

    /// `"key":"-12"`: an integer as a JSON string (Zipkin's tags are all strings).
    @inlinable public mutating func field(_ key: some JSONKey, quotedInteger value: Int64) {
        separator(key)
        bytes.append(UInt8(ascii: "\""))
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        Self.appendDecimal(value.magnitude, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    @inlinable public mutating func field(_ key: some JSONKey, _ value: Bool) {
        separator(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// `"key":"<hex>"` with 16 lowercase hex digits (a span ID), written straight into the buffer.
    @inlinable public mutating func field(_ key: some JSONKey, hex word: UInt64) {
        separator(key)
        bytes.append(UInt8(ascii: "\""))
        appendHex(word)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":"<hex>"` with 32 lowercase hex digits (a 128-bit trace ID).
    @inlinable public mutating func field(_ key: some JSONKey, hex high: UInt64, _ low: UInt64) {
        separator(key)
        bytes.append(UInt8(ascii: "\""))
        appendHex(high)
        appendHex(low)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":null`.
    @inlinable public mutating func nullField(_ key: some JSONKey) {
        separator(key)
        bytes.append(contentsOf: "null".utf8)
    }

    /// Inserts already-encoded JSON.
    @inlinable public mutating func field(_ key: some JSONKey, raw: String) {
        separator(key)
        // Borrowed in place: appending the view itself would retain the string, and text shared by every span (the
        // local endpoint) then has its reference count bounced between the cores.
        if raw.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: raw.utf8)
        }
    }

    /// Inserts already-encoded members (`"k":"v","k2":"v2"`) into the open object.
    @inlinable public mutating func members(raw: [UInt8]) {
        guard !raw.isEmpty else { return }
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        raw.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }  // borrowed: no retain of a shared array
        needsComma = true
    }

    /// The members written so far, without the outermost braces, for `members(raw:)`.
    @inlinable public mutating func finishedMembers() -> [UInt8] {
        Array(finishedBytes().dropFirst().dropLast())
    }

    /// Opens `"key":{`; members follow until `endObject`.
    @inlinable public mutating func beginObject(_ key: some JSONKey) {
        separator(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Opens `"key":[`; elements (`beginElementObject`) follow until `endArray`.
    @inlinable public mutating func beginArray(_ key: some JSONKey) {
        separator(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Opens an object as the next element of the open array.
    @inlinable public mutating func beginElementObject() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    @inlinable public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// The closed outermost object; the text is left empty.
    @inlinable public mutating func finishedBytes() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        var closed: [UInt8] = []
        swap(&closed, &bytes)
        return closed
    }

    /// The closed outermost object.
    @inlinable public mutating func finished() -> String { String(decoding: finishedBytes(), as: UTF8.self) }

    @inlinable mutating func separator(_ key: some JSONKey) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        key.appendMemberName(to: &bytes)
    }

    /// 16 lowercase hex digits, composed on the stack and appended at once.
    @inlinable mutating func appendHex(_ word: UInt64) {
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in 0..<16 {
                buffer[index] = Self.hexDigits[Int(truncatingIfNeeded: (word >> UInt64(60 - 4 * index)) & 0xf)]
            }
            bytes.append(contentsOf: buffer)
        }
    }

    /// Decimal digits, composed on the stack (a 16-digit timestamp as a `String` would be a heap allocation).
    @inlinable public static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            var rest = value
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// RFC 8259 string escaping: quotes, backslash and every control character.
    @inlinable public static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // In place, not through a copy of the string made for `withUTF8` (a retain and release per value).
        let inPlace: Void? = value.utf8.withContiguousStorageIfAvailable { appendEscaping($0, to: &output) }
        if inPlace == nil {
            var copy = value
            copy.withUTF8 { appendEscaping($0, to: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    @inlinable static func appendEscaping(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        // Most values (names, IDs, tags) need no escaping: copied whole rather than byte by byte.
        guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output.append(contentsOf: utf8)
            return
        }
        for byte in utf8 { appendEscaped(byte, to: &output) }
    }

    @inlinable static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
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

    @inlinable public static func appendQuoted(_ value: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    @usableFromInline static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A member name: a `String`, quoted as it is written, or a `StaticJSONKey`, written as it is.
public protocol JSONKey {
    /// Appends `"name":`.
    func appendMemberName(to bytes: inout [UInt8])
}

extension String: JSONKey {
    @inlinable public func appendMemberName(to bytes: inout [UInt8]) {
        JSONText.appendQuoted(self, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
}

/// A member name written in the code that needs no escaping, copied as it is: no scan for characters to escape and,
/// unlike a `String` of over 15 bytes or a stored array, nothing to retain. For the names every object of a kind
/// repeats (every span).
public struct StaticJSONKey: JSONKey, Sendable {
    @usableFromInline let name: StaticString

    @inlinable public init(_ name: StaticString) {
        assert(
            !name.description.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") },
            "a static JSON key must need no escaping")
        self.name = name
    }

    @inlinable public func appendMemberName(to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }
}
