import MeshRPC
import NIOCore

/// Splits a DATA byte stream into gRPC messages (1-byte compressed flag, 4-byte big-endian length,
/// payload), across frame boundaries in both directions. A message inside one chunk is delivered as
/// a slice without copying; one spanning chunks is assembled once in a buffer sized up front.
struct GRPCMessageDeframer {
    let maxMessageBytes: Int
    private var pending = ByteBuffer()

    init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }

    /// True when bytes of an unfinished message are held: an END_STREAM now means truncation.
    var hasPartialMessage: Bool { pending.readableBytes > 0 }

    /// Feeds one chunk; `onMessage` receives each completed message. Throws RESOURCE_EXHAUSTED for a
    /// length over the limit (before buffering any of it) and INTERNAL for a compressed message,
    /// since this endpoint only accepts identity encoding.
    mutating func process(_ chunk: ByteBuffer, onMessage: (ByteBuffer) -> Void) throws(RPCError) {
        var chunk = chunk
        if pending.readableBytes > 0 {
            try completePending(from: &chunk, onMessage: onMessage)
            if pending.readableBytes > 0 { return }
        }
        while chunk.readableBytes > 0 {
            guard chunk.readableBytes >= 5 else {
                pending.writeBuffer(&chunk)
                return
            }
            let length = try Self.validatedLength(chunk, limit: maxMessageBytes)
            if chunk.readableBytes >= 5 + length {
                chunk.moveReaderIndex(forwardBy: 5)
                onMessage(chunk.readSlice(length: length)!)
            } else {
                pending.clear()
                pending.reserveCapacity(5 + length)
                pending.writeBuffer(&chunk)
            }
        }
    }

    private mutating func completePending(from chunk: inout ByteBuffer, onMessage: (ByteBuffer) -> Void) throws(RPCError) {
        if pending.readableBytes < 5 {
            let needed = min(5 - pending.readableBytes, chunk.readableBytes)
            var head = chunk.readSlice(length: needed)!
            pending.writeBuffer(&head)
            guard pending.readableBytes == 5 else { return }
            let length = try Self.validatedLength(pending, limit: maxMessageBytes)
            pending.reserveCapacity(5 + length)
        }
        let length = Int(pending.getInteger(at: pending.readerIndex + 1, as: UInt32.self)!)
        let missing = 5 + length - pending.readableBytes
        var part = chunk.readSlice(length: min(missing, chunk.readableBytes))!
        pending.writeBuffer(&part)
        if pending.readableBytes == 5 + length {
            pending.moveReaderIndex(forwardBy: 5)
            onMessage(pending)
            pending = ByteBuffer()
        }
    }

    private static func validatedLength(_ buffer: ByteBuffer, limit: Int) throws(RPCError) -> Int {
        let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!
        let length = Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)!)
        guard flag == 0 else {
            throw RPCError(
                code: .internalError,
                message: flag == 1
                    ? "Compressed message received, but no compression was negotiated."
                    : "Invalid compressed-flag byte \(flag)."
            )
        }
        guard length <= limit else {
            throw RPCError(
                code: .resourceExhausted,
                message: "Message of \(length) bytes exceeds the limit of \(limit) bytes."
            )
        }
        return length
    }
}
