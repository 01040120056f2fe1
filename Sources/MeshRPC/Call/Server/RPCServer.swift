import NIOCore

/// Runs RPC handlers on top of any `ServerTransport`: routing, interceptors, deadlines and turning
/// thrown errors into statuses. Transports know nothing of handlers; handlers nothing of HTTP/2.
public struct RPCServer: Sendable {
    public let transport: any ServerTransport
    public let router: RPCRouter
    public let interceptors: [any ServerInterceptor]

    public init(transport: any ServerTransport, router: RPCRouter, interceptors: [any ServerInterceptor] = []) {
        self.transport = transport
        self.router = router
        self.interceptors = interceptors
    }

    /// Serves until the transport stops (see `ServerTransport.beginGracefulShutdown`).
    public func serve() async throws {
        try await transport.listen { stream in await self.handle(stream) }
    }

    public func beginGracefulShutdown() { transport.beginGracefulShutdown() }

    /// Handles one stream to completion; always ends it with a status unless the client went away.
    public func handle(_ stream: RPCServerStream) async {
        guard let route = router.route(forPath: stream.path) else {
            let status = Status(code: .unimplemented, message: "Method not found: \(stream.path)")
            try? await stream.outbound.write(.status(status, [:]))
            await stream.outbound.finish()
            return
        }
        let context = ServerContext(descriptor: route.descriptor, deadline: stream.deadline, peer: stream.peer)
        let outbound = stream.outbound
        let status: Status
        var trailers: Metadata = [:]
        do {
            trailers = try await withDeadline(stream.deadline) { [interceptors] in
                if let unary = route.unary, interceptors.isEmpty {
                    return try await Self.runUnary(stream, context: context, handler: unary)
                }
                return try await Self.run(stream, context: context, handler: route.handler, interceptors: interceptors)
            }
            status = .ok
        } catch {
            let rpcError = RPCError(wrapping: error)
            status = Status(code: rpcError.code, message: rpcError.message)
            trailers = rpcError.metadata
        }
        try? await outbound.write(.status(status, trailers))
        await outbound.finish()
    }

    private static func run(
        _ stream: RPCServerStream,
        context: ServerContext,
        handler: @escaping RPCRouter.RawHandler,
        interceptors: [any ServerInterceptor]
    ) async throws -> Metadata {
        var inbound = stream.inbound.makeAsyncIterator()
        let metadata = try await requestMetadata(&inbound)
        let iterator = inbound
        let messages = RPCAsyncSequence<ByteBuffer>(makeNext: {
            {
                // Copies of this iterator share one underlying stream, so a local copy advances it.
                var iterator = iterator
                return try await nextMessage(&iterator)
            }
        })
        let request = StreamingServerRequest(metadata: metadata, messages: messages)
        let response = try await Self.intercept(request, context, interceptors[...], handler)
        let contents = try response.accepted.get()
        try await stream.outbound.write(.metadata(contents.metadata))
        return try await contents.producer(stream.outbound.writer.map { .message($0) })
    }

    /// A unary call straight through: the same steps and errors as the streaming adapters, without them.
    private static func runUnary(
        _ stream: RPCServerStream,
        context: ServerContext,
        handler: RPCRouter.RawUnaryHandler
    ) async throws -> Metadata {
        var inbound = stream.inbound.makeAsyncIterator()
        let metadata = try await requestMetadata(&inbound)
        guard let message = try await nextMessage(&inbound) else { throw RPCRouter.noRequestMessage }
        let response = try await handler(ServerRequest(metadata: metadata, message: message), context) {
            guard try await nextMessage(&inbound) == nil else { throw RPCRouter.extraRequestMessage }
        }
        try await stream.outbound.write(.metadata(response.metadata))
        try await stream.outbound.write(.message(response.message))
        return response.trailers
    }

    private static func requestMetadata(
        _ inbound: inout RPCAsyncSequence<RPCRequestPart>.AsyncIterator
    ) async throws -> Metadata {
        guard case .metadata(let metadata)? = try await inbound.next() else {
            throw RPCError(code: .internalError, message: "The stream did not start with metadata.")
        }
        return metadata
    }

    private static func nextMessage(_ inbound: inout RPCAsyncSequence<RPCRequestPart>.AsyncIterator) async throws -> ByteBuffer? {
        switch try await inbound.next() {
        case .message(let bytes)?: return bytes
        case .metadata?: throw RPCError(code: .internalError, message: "Metadata arrived after messages.")
        case nil: return nil
        }
    }

    private static func intercept(
        _ request: StreamingServerRequest<ByteBuffer>,
        _ context: ServerContext,
        _ interceptors: ArraySlice<any ServerInterceptor>,
        _ handler: @escaping RPCRouter.RawHandler
    ) async throws -> StreamingServerResponse<ByteBuffer> {
        guard let first = interceptors.first else { return try await handler(request, context) }
        return try await first.intercept(request: request, context: context) { request, context in
            try await intercept(request, context, interceptors.dropFirst(), handler)
        }
    }
}
