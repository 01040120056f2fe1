import MeshRPC
import NIOCore

/// Prefixes outgoing messages. A message whose serializer left its prefix in front of it goes out as it is; other
/// small messages are copied next to their prefix (one buffer, one write), large ones go out as prefix + the
/// caller's buffer so the payload is never copied.
enum GRPCMessageFramer {
    static let copyThreshold = 16 * 1024

    static func frame(_ message: ByteBuffer, allocator: ByteBufferAllocator, into output: (ByteBuffer) -> Void) {
        if let framed = MessagePrefix.prefixed(message) {
            output(framed)
            return
        }
        let length = message.readableBytes
        if length <= copyThreshold {
            var buffer = allocator.buffer(capacity: MessagePrefix.length + length)
            MessagePrefix.write(forMessageOfSize: length, to: &buffer)
            buffer.writeImmutableBuffer(message)
            output(buffer)
        } else {
            var prefix = allocator.buffer(capacity: MessagePrefix.length)
            MessagePrefix.write(forMessageOfSize: length, to: &prefix)
            output(prefix)
            output(message)
        }
    }
}
