/// A cursor over serialized protobuf bytes, the only thing generated `merge(from:)` methods read from.
///
/// It lives only inside a `withUnsafeBytes`-style scope opened by `ProtoMessage.init(serializedBytes:)`; it never
/// escapes it. Every read checks the bytes left first, so truncated or hostile input throws `ProtoDecodingError`
/// instead of reading out of bounds, and nothing is allocated for a length before that length is known to fit.
/// Generated code reads a tag, switches on it (field number and wire type together, so a field arriving with an
/// unexpected wire type falls into `default` and is kept as unknown, as Google's parsers do), then reads the value.
public struct ProtoReader {
    @usableFromInline var pointer: UnsafeRawPointer
    @usableFromInline var end: UnsafeRawPointer
    /// The start of the outermost input, for error offsets.
    @usableFromInline let start: UnsafeRawPointer
    /// The first byte of the field whose tag was read last: unknown fields are copied from here.
    @usableFromInline var fieldStart: UnsafeRawPointer
    @usableFromInline var depth: Int
    @usableFromInline let maxDepth: Int

    @inlinable
    init(start: UnsafeRawPointer, count: Int, options: ProtoDecodingOptions) {
        self.pointer = start
        self.end = start + count
        self.start = start
        self.fieldStart = start
        self.depth = 0
        self.maxDepth = options.maxDepth
    }

    /// True when the current message (the outermost input, or the sub-message being read) has no bytes left.
    @inlinable
    public var isAtEnd: Bool { pointer >= end }

    @inlinable
    var remaining: Int { end - pointer }

    @usableFromInline
    func error(_ code: ProtoDecodingError.Code, _ message: String) -> ProtoDecodingError {
        ProtoDecodingError(code, message, offset: pointer - start)
    }

    // MARK: Tags and varints

    /// Reads the next field's tag (`fieldNumber << 3 | wireType`); the caller checks `isAtEnd` first.
    @inlinable
    public mutating func readTag() throws -> UInt32 {
        fieldStart = pointer
        let byte = pointer.load(as: UInt8.self)
        if byte >= 8 && byte < 0x80 {
            pointer += 1
            return UInt32(byte)
        }
        return try readTagSlow()
    }

    @usableFromInline
    mutating func readTagSlow() throws -> UInt32 {
        let value = try readVarint()
        guard pointer - fieldStart <= 5, value <= UInt32.max else {
            pointer = fieldStart
            throw error(.malformedVarint, "a field tag longer than 5 bytes or above 2^32-1")
        }
        guard value >= 8 else {
            pointer = fieldStart
            throw error(.invalidFieldNumber, "field number 0 is reserved")
        }
        return UInt32(value)
    }

    @inlinable
    public mutating func readVarint() throws -> UInt64 {
        if pointer < end {
            let byte = pointer.load(as: UInt8.self)
            if byte < 0x80 {
                pointer += 1
                return UInt64(byte)
            }
        }
        return try readVarintSlow()
    }

    /// Multi-byte varints: up to 10 bytes; bits past the 64th are dropped, as protobuf's C++ and upb parsers do.
    @usableFromInline
    mutating func readVarintSlow() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var cursor = pointer
        while cursor < end {
            let byte = cursor.load(as: UInt8.self)
            cursor += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 {
                pointer = cursor
                return result
            }
            shift += 7
            if shift >= 70 {
                throw error(.malformedVarint, "a varint longer than 10 bytes")
            }
        }
        throw error(.truncated, "the input ends inside a varint")
    }

    @inlinable
    public mutating func readFixed32() throws -> UInt32 {
        guard remaining >= 4 else { throw error(.truncated, "the input ends inside a 4-byte value") }
        let value = pointer.loadUnaligned(as: UInt32.self)
        pointer += 4
        return UInt32(littleEndian: value)
    }

    @inlinable
    public mutating func readFixed64() throws -> UInt64 {
        guard remaining >= 8 else { throw error(.truncated, "the input ends inside an 8-byte value") }
        let value = pointer.loadUnaligned(as: UInt64.self)
        pointer += 8
        return UInt64(littleEndian: value)
    }

    // MARK: Length-delimited values

    /// Reads a length prefix and checks it against the bytes left before anything is sized by it.
    @inlinable
    public mutating func readLength() throws -> Int {
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw error(.lengthExceedsInput, "a length of \(length) bytes with only \(remaining) left")
        }
        return Int(length)
    }

    @inlinable
    public mutating func readString() throws -> String {
        let length = try readLength()
        if length == 0 { return "" }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        let value: String
        // `String(validating:)` takes a slow generic path (~550 instructions a string in Swift 6.3); ASCII, the
        // common case for ids and names, needs no validation, so only the rest goes through it.
        if Self.isASCII(bytes) {
            value = String(decoding: bytes, as: UTF8.self)
        } else {
            guard let validated = String(validating: bytes, as: UTF8.self) else {
                throw error(.invalidUTF8, "a string field that is not valid UTF-8")
            }
            value = validated
        }
        pointer += length
        return value
    }

    /// True when no byte has its high bit set, checked eight bytes at a time.
    @inlinable
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] & 0x80 != 0 { return false }
            index += 1
        }
        return true
    }

    @inlinable
    public mutating func readBytes() throws -> [UInt8] {
        let length = try readLength()
        if length == 0 { return [] }
        let source = pointer
        pointer += length
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: source, count: length))
            count = length
        }
    }

    /// Where a length-delimited field started and what `endNested` restores.
    public struct NestedMark {
        @usableFromInline let outerEnd: UnsafeRawPointer
        @usableFromInline let fieldStart: UnsafeRawPointer

        @inlinable
        init(outerEnd: UnsafeRawPointer, fieldStart: UnsafeRawPointer) {
            self.outerEnd = outerEnd
            self.fieldStart = fieldStart
        }
    }

    /// Narrows the reader to a length-delimited sub-message (or map entry) whose tag was just read.
    @inlinable
    public mutating func beginNested() throws -> NestedMark {
        let mark = NestedMark(outerEnd: end, fieldStart: fieldStart)
        let length = try readLength()
        guard depth < maxDepth else {
            throw error(.depthLimitExceeded, "sub-messages nested deeper than the depth limit of \(maxDepth)")
        }
        depth += 1
        end = pointer + length
        return mark
    }

    /// Leaves a sub-message opened by `beginNested`; the message's loop consumed exactly its bytes.
    @inlinable
    public mutating func endNested(_ mark: NestedMark) {
        depth -= 1
        end = mark.outerEnd
    }

    /// Keeps a whole nested field (tag to end) as unknown: what upb does with a map entry holding a field it
    /// cannot place (an unknown number or a wrong wire type), instead of inserting a half-read entry.
    @inlinable
    public func preserveNestedField(_ mark: NestedMark, in unknownFields: inout ProtoUnknownFields) {
        unknownFields.append(UnsafeRawBufferPointer(start: mark.fieldStart, count: pointer - mark.fieldStart))
    }

    /// Merges a length-delimited sub-message into `message` (protobuf merges a repeated singular message field).
    @inlinable
    public mutating func readMessage<Message: ProtoMessage>(into message: inout Message) throws {
        let mark = try beginNested()
        try message.merge(from: &self)
        endNested(mark)
    }

    // MARK: Unknown fields

    /// Skips the value of the field whose tag was just read and keeps its raw bytes in `unknownFields`.
    @inlinable
    public mutating func skipField(_ tag: UInt32, preservingIn unknownFields: inout ProtoUnknownFields) throws {
        try skipField(tag)
        unknownFields.append(UnsafeRawBufferPointer(start: fieldStart, count: pointer - fieldStart))
    }

    /// Skips the value of the field whose tag was just read (map entries drop what they do not know).
    @usableFromInline
    mutating func skipField(_ tag: UInt32) throws {
        switch tag & 7 {
        case ProtoWireType.varint.rawValue:
            _ = try readVarint()
        case ProtoWireType.fixed64.rawValue:
            _ = try readFixed64()
        case ProtoWireType.lengthDelimited.rawValue:
            pointer += try readLength()
        case ProtoWireType.fixed32.rawValue:
            _ = try readFixed32()
        case ProtoWireType.startGroup.rawValue, ProtoWireType.endGroup.rawValue:
            pointer = fieldStart
            throw error(
                .groupsNotSupported, "wire type \(tag & 7) (group) for field \(tag >> 3): groups are not supported")
        default:
            pointer = fieldStart
            throw error(.invalidWireType, "wire type \(tag & 7) for field \(tag >> 3) does not exist")
        }
    }

    /// Skips a field of a map entry, which keeps no unknown fields.
    @inlinable
    public mutating func skipMapEntryField(_ tag: UInt32) throws { try skipField(tag) }

    // MARK: Packed repeated fields

    /// Reads a packed run of varint-encoded values, reserving the exact count first (one allocation).
    @inlinable
    public mutating func readPacked<Codec: ProtoVarintCodec>(_: Codec.Type, into values: inout [Codec.Value]) throws {
        let length = try readLength()
        let runEnd = pointer + length
        var count = 0
        var cursor = pointer
        while cursor < runEnd {
            if cursor.load(as: UInt8.self) < 0x80 { count += 1 }
            cursor += 1
        }
        values.reserveCapacity(values.count + count)
        let outerEnd = end
        end = runEnd
        defer { end = outerEnd }
        while pointer < runEnd {
            guard let value = try? readVarint() else {
                throw error(.malformedPackedField, "a packed varint field whose last value is cut off or overlong")
            }
            values.append(Codec.decode(varint: value))
        }
    }

    /// Reads a packed run of 4-byte values.
    @inlinable
    public mutating func readPacked<Codec: ProtoFixed32Codec>(_: Codec.Type, into values: inout [Codec.Value]) throws {
        let length = try readLength()
        guard length % 4 == 0 else {
            throw error(.malformedPackedField, "a packed 4-byte field of \(length) bytes")
        }
        values.reserveCapacity(values.count + length / 4)
        for _ in 0..<length / 4 {
            values.append(Codec.decode(bits: try readFixed32()))
        }
    }

    /// Reads a packed run of 8-byte values.
    @inlinable
    public mutating func readPacked<Codec: ProtoFixed64Codec>(_: Codec.Type, into values: inout [Codec.Value]) throws {
        let length = try readLength()
        guard length % 8 == 0 else {
            throw error(.malformedPackedField, "a packed 8-byte field of \(length) bytes")
        }
        values.reserveCapacity(values.count + length / 8)
        for _ in 0..<length / 8 {
            values.append(Codec.decode(bits: try readFixed64()))
        }
    }
}
