public import MeshRPC
public import NIOCore
public import ProtoWire
public import ProtoWireNIO

/// Serializes and deserializes one generated protobuf message type straight to and from
/// `ByteBuffer`, so generated messages plug into every call shape. Inlinable, as are the typed
/// router and client entry points, so calls are specialized for the concrete message types.
public struct ProtoCoder<Message: ProtoMessage>: MessageSerializer, MessageDeserializer {
    @inlinable public init() {}

    /// Sized once, with gRPC's prefix written in front (see `MessagePrefix`).
    @inlinable
    public func serialize(_ message: Message) -> ByteBuffer {
        let size = message.serializedSize()
        var buffer = MessagePrefix.buffer(forMessageOfSize: size)
        guard size > 0 else { return buffer }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { message.serialize(into: $0, size: size) }
        return buffer
    }

    @inlinable
    public func deserialize(_ bytes: ByteBuffer) throws -> Message {
        try Message(buffer: bytes)
    }
}

extension MethodDescriptor {
    /// The RPC-layer descriptor of a generated method.
    public init(_ method: ProtoMethodDescriptor) {
        self.init(path: method.path)!
    }

    public init<Method: ProtoRPCMethod>(_ method: Method.Type) {
        self.init(method.descriptor)
    }
}
