/// How one protobuf value type is read, written and measured; generated code names a codec per field.
///
/// The codecs are caseless enums whose static, `@inlinable` methods specialise into the generated code, so a
/// field read is a direct call to a few inlined instructions: no visitor, no closure, no existential.
public protocol ProtoCodec {
    associatedtype Value: Hashable & Sendable
    static var wireType: ProtoWireType { get }
    static func read(from reader: inout ProtoReader) throws -> Value
    static func write(_ value: Value, to writer: inout ProtoWriter)
    static func size(of value: Value) -> Int
}

/// Values carried as a varint (wire type 0); packable.
public protocol ProtoVarintCodec: ProtoCodec {
    static func decode(varint: UInt64) -> Value
    static func encode(varint value: Value) -> UInt64
}

/// Values carried in 4 bytes (wire type 5); packable.
public protocol ProtoFixed32Codec: ProtoCodec {
    static func decode(bits: UInt32) -> Value
    static func encode(bits value: Value) -> UInt32
}

/// Values carried in 8 bytes (wire type 1); packable.
public protocol ProtoFixed64Codec: ProtoCodec {
    static func decode(bits: UInt64) -> Value
    static func encode(bits value: Value) -> UInt64
}

extension ProtoVarintCodec {
    @inlinable public static var wireType: ProtoWireType { .varint }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> Value {
        decode(varint: try reader.readVarint())
    }
    @inlinable public static func write(_ value: Value, to writer: inout ProtoWriter) {
        writer.writeVarint(encode(varint: value))
    }
    @inlinable public static func size(of value: Value) -> Int { ProtoSize.varint(encode(varint: value)) }
}

extension ProtoFixed32Codec {
    @inlinable public static var wireType: ProtoWireType { .fixed32 }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> Value {
        decode(bits: try reader.readFixed32())
    }
    @inlinable public static func write(_ value: Value, to writer: inout ProtoWriter) {
        writer.writeFixed32(encode(bits: value))
    }
    @inlinable public static func size(of value: Value) -> Int { 4 }
}

extension ProtoFixed64Codec {
    @inlinable public static var wireType: ProtoWireType { .fixed64 }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> Value {
        decode(bits: try reader.readFixed64())
    }
    @inlinable public static func write(_ value: Value, to writer: inout ProtoWriter) {
        writer.writeFixed64(encode(bits: value))
    }
    @inlinable public static func size(of value: Value) -> Int { 8 }
}

/// `int32`: negative values take 10 bytes (sign-extended to 64 bits), as the protobuf spec requires.
public enum WireInt32: ProtoVarintCodec {
    public typealias Value = Int32
    @inlinable public static func decode(varint: UInt64) -> Int32 { Int32(truncatingIfNeeded: varint) }
    @inlinable public static func encode(varint value: Int32) -> UInt64 { UInt64(bitPattern: Int64(value)) }
}

public enum WireInt64: ProtoVarintCodec {
    public typealias Value = Int64
    @inlinable public static func decode(varint: UInt64) -> Int64 { Int64(bitPattern: varint) }
    @inlinable public static func encode(varint value: Int64) -> UInt64 { UInt64(bitPattern: value) }
}

public enum WireUInt32: ProtoVarintCodec {
    public typealias Value = UInt32
    @inlinable public static func decode(varint: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: varint) }
    @inlinable public static func encode(varint value: UInt32) -> UInt64 { UInt64(value) }
}

public enum WireUInt64: ProtoVarintCodec {
    public typealias Value = UInt64
    @inlinable public static func decode(varint: UInt64) -> UInt64 { varint }
    @inlinable public static func encode(varint value: UInt64) -> UInt64 { value }
}

public enum WireSInt32: ProtoVarintCodec {
    public typealias Value = Int32
    @inlinable public static func decode(varint: UInt64) -> Int32 {
        ProtoZigZag.decode(UInt32(truncatingIfNeeded: varint))
    }
    @inlinable public static func encode(varint value: Int32) -> UInt64 { UInt64(ProtoZigZag.encode(value)) }
}

public enum WireSInt64: ProtoVarintCodec {
    public typealias Value = Int64
    @inlinable public static func decode(varint: UInt64) -> Int64 { ProtoZigZag.decode(varint) }
    @inlinable public static func encode(varint value: Int64) -> UInt64 { ProtoZigZag.encode(value) }
}

/// `bool`: any non-zero varint reads as true; true is written as 1.
public enum WireBool: ProtoVarintCodec {
    public typealias Value = Bool
    @inlinable public static func decode(varint: UInt64) -> Bool { varint != 0 }
    @inlinable public static func encode(varint value: Bool) -> UInt64 { value ? 1 : 0 }
}

/// Open enums: every number decodes, unknown ones into `UNRECOGNIZED`.
public enum WireEnum<Enum: ProtoEnum>: ProtoVarintCodec {
    public typealias Value = Enum
    @inlinable public static func decode(varint: UInt64) -> Enum { Enum(rawValue: Int32(truncatingIfNeeded: varint)) }
    @inlinable public static func encode(varint value: Enum) -> UInt64 { UInt64(bitPattern: Int64(value.rawValue)) }
}

public enum WireFixed32: ProtoFixed32Codec {
    public typealias Value = UInt32
    @inlinable public static func decode(bits: UInt32) -> UInt32 { bits }
    @inlinable public static func encode(bits value: UInt32) -> UInt32 { value }
}

public enum WireSFixed32: ProtoFixed32Codec {
    public typealias Value = Int32
    @inlinable public static func decode(bits: UInt32) -> Int32 { Int32(bitPattern: bits) }
    @inlinable public static func encode(bits value: Int32) -> UInt32 { UInt32(bitPattern: value) }
}

public enum WireFloat: ProtoFixed32Codec {
    public typealias Value = Float
    @inlinable public static func decode(bits: UInt32) -> Float { Float(bitPattern: bits) }
    @inlinable public static func encode(bits value: Float) -> UInt32 { value.bitPattern }
}

public enum WireFixed64: ProtoFixed64Codec {
    public typealias Value = UInt64
    @inlinable public static func decode(bits: UInt64) -> UInt64 { bits }
    @inlinable public static func encode(bits value: UInt64) -> UInt64 { value }
}

public enum WireSFixed64: ProtoFixed64Codec {
    public typealias Value = Int64
    @inlinable public static func decode(bits: UInt64) -> Int64 { Int64(bitPattern: bits) }
    @inlinable public static func encode(bits value: Int64) -> UInt64 { UInt64(bitPattern: value) }
}

public enum WireDouble: ProtoFixed64Codec {
    public typealias Value = Double
    @inlinable public static func decode(bits: UInt64) -> Double { Double(bitPattern: bits) }
    @inlinable public static func encode(bits value: Double) -> UInt64 { value.bitPattern }
}

/// `string`: validated as UTF-8 on decode (proto3 requires it), written from the string's own UTF-8 storage.
public enum WireString: ProtoCodec {
    @inlinable public static var wireType: ProtoWireType { .lengthDelimited }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> String { try reader.readString() }
    @inlinable public static func write(_ value: String, to writer: inout ProtoWriter) {
        var value = value
        value.withUTF8 { writer.writeLengthDelimited(UnsafeRawBufferPointer($0)) }
    }
    @inlinable public static func size(of value: String) -> Int { ProtoSize.lengthDelimited(value.utf8.count) }
}

public enum WireBytes: ProtoCodec {
    @inlinable public static var wireType: ProtoWireType { .lengthDelimited }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> [UInt8] { try reader.readBytes() }
    @inlinable public static func write(_ value: [UInt8], to writer: inout ProtoWriter) {
        value.withUnsafeBytes { writer.writeLengthDelimited($0) }
    }
    @inlinable public static func size(of value: [UInt8]) -> Int { ProtoSize.lengthDelimited(value.count) }
}

/// A sub-message, length-prefixed. `read` starts from an empty message; fields merge through `readMessage`.
public enum WireMessage<Message: ProtoMessage>: ProtoCodec {
    @inlinable public static var wireType: ProtoWireType { .lengthDelimited }
    @inlinable public static func read(from reader: inout ProtoReader) throws -> Message {
        var message = Message()
        try reader.readMessage(into: &message)
        return message
    }
    @inlinable public static func write(_ value: Message, to writer: inout ProtoWriter) {
        let mark = writer.offset
        value.encode(to: &writer)
        writer.writeLength(since: mark)
    }
    @inlinable public static func size(of value: Message) -> Int { ProtoSize.lengthDelimited(value.serializedSize()) }
}
