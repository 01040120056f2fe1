/// The server side of one RPC stream as a transport delivers it.
public struct RPCServerStream: Sendable {
    /// The request `:path`; the server routes on it (it may not name a real method).
    public let path: String
    /// When the client's `grpc-timeout` expires, if it sent one.
    public let deadline: ContinuousClock.Instant?
    /// Who is at the other end: a socket address, or `in-process`.
    public let peer: RPCPeer
    public let inbound: RPCAsyncSequence<RPCRequestPart>
    public let outbound: ClosableRPCWriter<RPCResponsePart>

    public init(
        path: String,
        deadline: ContinuousClock.Instant?,
        peer: RPCPeer,
        inbound: RPCAsyncSequence<RPCRequestPart>,
        outbound: ClosableRPCWriter<RPCResponsePart>
    ) {
        self.path = path
        self.deadline = deadline
        self.peer = peer
        self.inbound = inbound
        self.outbound = outbound
    }
}

/// What a server does with each stream. `nonisolated(nonsending)`: it runs on the executor of the task the
/// transport starts for the stream, with no executor hop on entry.
public typealias RPCStreamHandler = nonisolated(nonsending) @Sendable (RPCServerStream) async -> Void

/// Accepts RPC streams. Each stream is handed to the handler on its own task; the transport cancels
/// that task when the client resets the stream, which is how handlers observe cancellation.
public protocol ServerTransport: Sendable {
    /// Serves until `beginGracefulShutdown` has drained every open stream, or the listener fails.
    func listen(_ handler: @escaping RPCStreamHandler) async throws
    /// Stops accepting new streams (GOAWAY on HTTP/2) and lets open ones finish.
    func beginGracefulShutdown()
}
