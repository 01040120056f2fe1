/// Writes a message back to front into a buffer of exactly `serializedSize()` bytes.
///
/// Writing backwards means a sub-message's length is known the moment its last field is written, so the encoder
/// computes every size once (for the single allocation) and never again for length prefixes, unlike a
/// front-to-back encoder that re-measures each nested message. Generated `encode(to:)` methods therefore emit
/// unknown fields first and then known fields in descending field-number order; the bytes come out ascending, as
/// protoc's encoders order them. The size pass and the write pass are generated together; `reserve` still checks
/// that no write lands before the buffer, so a mismatch traps instead of corrupting memory.
public struct ProtoWriter {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline var position: Int

    /// Bytes still unwritten at the front of the buffer; the next write ends here.
    @inlinable
    public var offset: Int { position }

    @inlinable
    public init(base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.position = count
    }

    @inlinable
    mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        position -= count
        precondition(position >= 0, "protobuf encoder wrote more than serializedSize() announced")
        return base + position
    }

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            reserve(1).storeBytes(of: UInt8(value), as: UInt8.self)
            return
        }
        var cursor = reserve(ProtoSize.varint(value))
        var rest = value
        while rest >= 0x80 {
            cursor.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, as: UInt8.self)
            cursor += 1
            rest >>= 7
        }
        cursor.storeBytes(of: UInt8(rest), as: UInt8.self)
    }

    @inlinable
    public mutating func writeTag(_ tag: UInt32) { writeVarint(UInt64(tag)) }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        reserve(4).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        reserve(8).storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    /// Raw bytes, no prefix (unknown fields).
    @inlinable
    public mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count).copyMemory(from: source, byteCount: bytes.count)
    }

    /// A length-delimited value: the bytes, then (before them) their length.
    @inlinable
    public mutating func writeLengthDelimited(_ bytes: UnsafeRawBufferPointer) {
        writeRaw(bytes)
        writeVarint(UInt64(bytes.count))
    }

    /// Writes the length prefix of everything written since `mark` (an earlier `offset`).
    @inlinable
    public mutating func writeLength(since mark: Int) { writeVarint(UInt64(mark - offset)) }

    @inlinable
    public mutating func writeUnknownFields(_ fields: ProtoUnknownFields) {
        fields.bytes.withUnsafeBytes { writeRaw($0) }
    }
}
