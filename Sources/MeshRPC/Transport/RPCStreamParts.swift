import NIOCore

/// What a client sends on a stream: metadata once, first, then messages.
public enum RPCRequestPart: Sendable, Hashable {
    case metadata(Metadata)
    case message(ByteBuffer)
}

/// What a server sends on a stream: optionally metadata, then messages, then always a status with
/// trailers. A status with no metadata before it is a Trailers-Only response.
public enum RPCResponsePart: Sendable, Hashable {
    case metadata(Metadata)
    case message(ByteBuffer)
    case status(Status, Metadata)
}
