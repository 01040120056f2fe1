import NIOCore

/// Turns a message into the bytes of one gRPC message (without the 5-byte prefix).
public protocol MessageSerializer<Message>: Sendable {
    associatedtype Message
    func serialize(_ message: Message) throws -> ByteBuffer
}

/// Turns the bytes of one gRPC message back into a message; throws on malformed input.
public protocol MessageDeserializer<Message>: Sendable {
    associatedtype Message
    func deserialize(_ bytes: ByteBuffer) throws -> Message
}

/// Passes `ByteBuffer` messages through untouched: for generic callers, proxies and tests.
public struct RawBytesCoder: MessageSerializer, MessageDeserializer {
    public init() {}
    public func serialize(_ message: ByteBuffer) -> ByteBuffer { message }
    public func deserialize(_ bytes: ByteBuffer) -> ByteBuffer { bytes }
}

/// Passes `[UInt8]` messages through, converting at the `ByteBuffer` edge.
public struct ByteArrayCoder: MessageSerializer, MessageDeserializer {
    public init() {}
    public func serialize(_ message: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: message) }
    public func deserialize(_ bytes: ByteBuffer) -> [UInt8] { Array(bytes.readableBytesView) }
}
