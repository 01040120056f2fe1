/// Ordered, multi-valued RPC metadata (HTTP/2 headers and trailers on the wire).
///
/// Keys are lowercased on insertion because HTTP/2 requires it; a key ending in `-bin` carries bytes
/// (base64 on the wire), any other key carries ASCII text.
public struct Metadata: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One metadata value: text, or bytes for `-bin` keys.
    public enum Value: Hashable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
        case string(String)
        case binary([UInt8])

        public init(stringLiteral value: String) { self = .string(value) }

        public var description: String {
            switch self {
            case .string(let text): return text
            case .binary(let bytes): return "\(bytes.count) bytes"
            }
        }
    }

    public struct Element: Hashable, Sendable {
        public var key: String
        public var value: Value
    }

    private var elements: [Element]

    public init() { elements = [] }

    public init(dictionaryLiteral pairs: (String, Value)...) {
        elements = pairs.map { Element(key: Self.lowercased($0.0), value: $0.1) }
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    public mutating func add(_ key: String, _ value: Value) {
        elements.append(Element(key: Self.lowercased(key), value: value))
    }

    /// Keys arriving from HTTP/2 are lowercase already; only others pay for a new string.
    private static func lowercased(_ key: String) -> String {
        // Over the bytes in place: this runs for every header of every call.
        let isLowercase = key.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 >= 0x80 || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
        }
        return isLowercase == true ? key : key.lowercased()
    }

    public mutating func add(_ key: String, _ value: String) { add(key, .string(value)) }

    public mutating func add(_ key: String, bytes: [UInt8]) { add(key, .binary(bytes)) }

    /// Replaces every value of `key` with one value.
    public mutating func replace(_ key: String, _ value: Value) {
        removeAll(key)
        add(key, value)
    }

    public mutating func removeAll(_ key: String) {
        let key = Self.lowercased(key)
        elements.removeAll { $0.key == key }
    }

    public mutating func add(contentsOf other: Metadata) { elements.append(contentsOf: other.elements) }

    /// The text values of `key`, in order; bytes values are skipped.
    public subscript(stringValues key: String) -> [String] {
        let key = Self.lowercased(key)
        return elements.compactMap { element in
            guard element.key == key, case .string(let text) = element.value else { return nil }
            return text
        }
    }

    /// The byte values of `key`, in order; text values are skipped.
    public subscript(binaryValues key: String) -> [[UInt8]] {
        let key = Self.lowercased(key)
        return elements.compactMap { element in
            guard element.key == key, case .binary(let bytes) = element.value else { return nil }
            return bytes
        }
    }

    /// The first text value of `key`. Looked up on every call (trace headers, credentials), so it builds no array.
    public func first(_ key: String) -> String? {
        let key = Self.lowercased(key)
        for element in elements where element.key == key {
            if case .string(let text) = element.value { return text }
        }
        return nil
    }

    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }

    public var description: String {
        "[" + elements.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
