import NIOCore

/// Prefixes outgoing messages. Small messages are copied next to their prefix (one buffer, one
/// write); large ones go out as prefix + the caller's buffer so the payload is never copied.
enum GRPCMessageFramer {
    static let copyThreshold = 16 * 1024

    static func frame(_ message: ByteBuffer, allocator: ByteBufferAllocator, into output: (ByteBuffer) -> Void) {
        let length = message.readableBytes
        if length <= copyThreshold {
            var buffer = allocator.buffer(capacity: 5 + length)
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(UInt32(length))
            buffer.writeImmutableBuffer(message)
            output(buffer)
        } else {
            var prefix = allocator.buffer(capacity: 5)
            prefix.writeInteger(UInt8(0))
            prefix.writeInteger(UInt32(length))
            output(prefix)
            output(message)
        }
    }
}
