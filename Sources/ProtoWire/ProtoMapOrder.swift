/// The order map entries are written in: the order of Python protobuf's `SerializeToString(deterministic=True)`.
///
/// A Swift `Dictionary` iterates in a per-process random order, so we sort to make our bytes reproducible, and we
/// sort exactly as upb (the engine of Python protobuf 4+, which our cross-language tests compare against) does, so
/// the bytes are identical too. upb's order, measured with protobuf 7.36 and kept here on purpose:
/// - string keys: ascending by UTF-8 bytes, except that a key sorts *after* the longer keys it is a prefix of
///   (`"ab"`, `"a"`, `"b"`, `""`);
/// - integer keys of every type: descending by the key's two's-complement bit pattern read as unsigned
///   (`-1`, `-3`, `5`, `1`, `0`);
/// - bool keys: `true`, then `false`.
/// C++'s deterministic mode sorts ascending instead, and Python's default mode writes insertion order; any of
/// these decode to the same map, only the bytes differ.
public enum ProtoMapOrder {
    @inlinable
    public static func sorted<Value>(_ map: [String: Value]) -> [(key: String, value: Value)] {
        map.sorted { precedes($0.key, $1.key) }
    }

    @inlinable
    public static func sorted<Key: FixedWidthInteger, Value>(_ map: [Key: Value]) -> [(key: Key, value: Value)] {
        map.sorted { UInt64(truncatingIfNeeded: $0.key) > UInt64(truncatingIfNeeded: $1.key) }
    }

    @inlinable
    public static func sorted<Value>(_ map: [Bool: Value]) -> [(key: Bool, value: Value)] {
        map.sorted { $0.key && !$1.key }
    }

    /// Calls `body` for every entry in the reverse of the order above (our writer fills its buffer back to front),
    /// without sorting, and so without allocating, when there is at most one entry.
    @inlinable
    public static func forEachInReverseWriteOrder<Value>(_ map: [String: Value], _ body: (String, Value) -> Void) {
        if map.count <= 1 {
            for (key, value) in map { body(key, value) }
        } else {
            for (key, value) in sorted(map).reversed() { body(key, value) }
        }
    }

    @inlinable
    public static func forEachInReverseWriteOrder<Key: FixedWidthInteger, Value>(
        _ map: [Key: Value], _ body: (Key, Value) -> Void
    ) {
        if map.count <= 1 {
            for (key, value) in map { body(key, value) }
        } else {
            for (key, value) in sorted(map).reversed() { body(key, value) }
        }
    }

    @inlinable
    public static func forEachInReverseWriteOrder<Value>(_ map: [Bool: Value], _ body: (Bool, Value) -> Void) {
        if map.count <= 1 {
            for (key, value) in map { body(key, value) }
        } else {
            for (key, value) in sorted(map).reversed() { body(key, value) }
        }
    }

    /// upb's string order: bytewise over the common prefix, then the longer key first.
    @inlinable
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhsIterator = lhs.utf8.makeIterator()
        var rhsIterator = rhs.utf8.makeIterator()
        while true {
            switch (lhsIterator.next(), rhsIterator.next()) {
            case (let left?, let right?):
                if left != right { return left < right }
            case (nil, nil): return false
            case (nil, _): return false
            case (_, nil): return true
            }
        }
    }
}
