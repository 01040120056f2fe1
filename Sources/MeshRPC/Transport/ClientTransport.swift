/// The client side of one RPC stream as a transport offers it.
public struct RPCClientStream: Sendable {
    public let inbound: RPCAsyncSequence<RPCResponsePart>
    public let outbound: ClosableRPCWriter<RPCRequestPart>

    public init(inbound: RPCAsyncSequence<RPCResponsePart>, outbound: ClosableRPCWriter<RPCRequestPart>) {
        self.inbound = inbound
        self.outbound = outbound
    }
}

/// Opens RPC streams to a server. Implementations: in-process (tests) and HTTP/2 (the wire).
public protocol ClientTransport: Sendable {
    /// Opens a stream for `descriptor`, runs `body` with it and closes it afterwards. When `body`
    /// throws, or returns before the server finished, the stream is aborted (RST_STREAM CANCEL).
    /// Fails with UNAVAILABLE when no connection can be had (unless `options.waitForReady`).
    func withStream<T: Sendable>(
        descriptor: MethodDescriptor,
        options: CallOptions,
        deadline: ContinuousClock.Instant?,
        _ body: (RPCClientStream) async throws -> T
    ) async throws -> T
}
