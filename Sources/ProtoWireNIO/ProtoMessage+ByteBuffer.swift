public import NIOCore
public import ProtoWire

/// `ByteBuffer` in and out for the RPC layer, without an intermediate `[UInt8]`.
extension ProtoMessage {
    /// Decodes the readable bytes of `buffer` in place (the reader index is not moved).
    @inlinable
    public init(buffer: ByteBuffer, options: ProtoDecodingOptions = .default) throws {
        self.init()
        try buffer.withUnsafeReadableBytes { try merge(serializedBytes: $0, options: options) }
    }

    /// Appends the encoded message to `buffer`: measures once, reserves once, writes in place.
    @inlinable
    public func serialize(into buffer: inout ByteBuffer) {
        let size = serializedSize()
        guard size > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { serialize(into: $0, size: size) }
    }
}
