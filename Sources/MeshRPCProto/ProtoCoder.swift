public import MeshRPC
public import NIOCore
public import ProtoWire
import ProtoWireNIO

/// Serializes and deserializes one generated protobuf message type straight to and from
/// `ByteBuffer`, so generated messages plug into every call shape.
public struct ProtoCoder<Message: ProtoMessage>: MessageSerializer, MessageDeserializer {
    public init() {}

    public func serialize(_ message: Message) -> ByteBuffer {
        var buffer = ByteBuffer()
        message.serialize(into: &buffer)
        return buffer
    }

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
