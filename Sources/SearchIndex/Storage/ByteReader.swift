/// A bounds-checked little-endian cursor over bytes, for parsing files that may be truncated or corrupt.
///
/// Every read throws `SearchIndexError.corrupt` instead of trapping: a torn or foreign file must never crash the
/// process. The hot query path does not use this type; it reads validated segments through `SegmentBytes`.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int
    private let what: String

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, what: String) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
        self.what = what
    }

    var isAtEnd: Bool { offset >= end }

    mutating func readByte() throws(SearchIndexError) -> UInt8 {
        guard offset < end else { throw .corrupt("\(what): truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readVarint() throws(SearchIndexError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw .corrupt("\(what): varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readUInt32() throws(SearchIndexError) -> UInt32 {
        guard end - offset >= 4 else { throw .corrupt("\(what): truncated") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func readUInt64() throws(SearchIndexError) -> UInt64 {
        let low = try readUInt32()
        let high = try readUInt32()
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func readBytes(_ count: Int) throws(SearchIndexError) -> [UInt8] {
        guard count >= 0, end - offset >= count else { throw .corrupt("\(what): truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
