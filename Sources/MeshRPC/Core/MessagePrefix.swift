public import NIOCore

/// gRPC's message prefix: a compression flag and the message's length, big-endian, five bytes in all.
///
/// A serializer that knows a message's size writes the prefix in front of it, outside the buffer's readable bytes,
/// so the message reads the same to every transport while one that frames messages sends prefix and message as one
/// buffer instead of copying both into a new one (two allocations and a copy per message).
public enum MessagePrefix {
    public static let length = 5

    /// A buffer for a message of `size` bytes, its prefix already written ahead of the reader index: write the
    /// message, then send the buffer.
    @inlinable
    public static func buffer(forMessageOfSize size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length + size)
        write(forMessageOfSize: size, to: &buffer)
        buffer.moveReaderIndex(forwardBy: length)
        return buffer
    }

    /// Appends an uncompressed message's prefix to `buffer`.
    @inlinable
    public static func write(forMessageOfSize size: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: size))
    }

    /// `message` with an uncompressed message's prefix as its first readable bytes, if they are already in front
    /// of it; no copy either way.
    public static func prefixed(_ message: ByteBuffer) -> ByteBuffer? {
        guard message.readerIndex >= length else { return nil }
        var framed = message
        framed.moveReaderIndex(to: message.readerIndex - length)
        guard framed.getInteger(at: framed.readerIndex, as: UInt8.self) == 0,
            framed.getInteger(at: framed.readerIndex + 1, as: UInt32.self) == UInt32(message.readableBytes)
        else { return nil }
        return framed
    }
}
