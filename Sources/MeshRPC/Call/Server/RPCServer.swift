import NIOCore

/// Runs RPC handlers on top of any `ServerTransport`: routing, interceptors, deadlines and turning
/// thrown errors into statuses. Transports know nothing of handlers; handlers nothing of HTTP/2.
public struct RPCServer: Sendable {
    public let transport: any ServerTransport
    public let router: RPCRouter
    public let interceptors: [any ServerInterceptor]
    /// The interceptors again when every one of them takes unary calls whole, so unary calls keep the direct path.
    private let unaryInterceptors: [any UnaryServerInterceptor]?

    public init(transport: any ServerTransport, router: RPCRouter, interceptors: [any ServerInterceptor] = []) {
        self.transport = transport
        self.router = router
        self.interceptors = interceptors
        let unary = interceptors.compactMap { $0 as? any UnaryServerInterceptor }
        unaryInterceptors = unary.count == interceptors.count ? unary : nil
    }

    /// Serves until the transport stops (see `ServerTransport.beginGracefulShutdown`).
    public func serve() async throws {
        try await transport.listen { stream in await self.handle(stream) }
    }

    public func beginGracefulShutdown() { transport.beginGracefulShutdown() }

    /// Handles one stream to completion; always ends it with a status unless the client went away.
    nonisolated(nonsending) public func handle(_ stream: RPCServerStream) async {
        guard let route = router.route(forPath: stream.path) else {
            await Self.refuseUnknownMethod(stream)
            return
        }
        let context = ServerContext(descriptor: route.descriptor, deadline: stream.deadline, peer: stream.peer)
        let outcome: Result<Metadata, any Error>
        do {
            if stream.deadline == nil {
                // Run right here: no closure to allocate and no executor hop into and out of one.
                outcome = .success(try await respond(stream, route: route, context: context))
            } else {
                outcome = .success(try await respondBeforeDeadline(stream, route: route, context: context))
            }
        } catch {
            outcome = .failure(error)
        }
        try? await stream.outbound.write(Self.statusPart(outcome))
        await stream.outbound.finish()
    }

    /// The call's status and trailers. Kept out of `handle`, like its other rare paths, because every value an async
    /// function holds gets a slot of its own in the call's task frame, and frames over a slab's 984 bytes cost a
    /// malloc of their own.
    @inline(never)
    private static func statusPart(_ outcome: Result<Metadata, any Error>) -> RPCResponsePart {
        switch outcome {
        case .success(let trailers):
            return .status(.ok, trailers)
        case .failure(let error):
            let rpcError = RPCError(wrapping: error)
            return .status(Status(code: rpcError.code, message: rpcError.message), rpcError.metadata)
        }
    }

    @inline(never)
    nonisolated(nonsending) private static func refuseUnknownMethod(_ stream: RPCServerStream) async {
        let status = Status(code: .unimplemented, message: "Method not found: \(stream.path)")
        try? await stream.outbound.write(.status(status, [:]))
        await stream.outbound.finish()
    }

    @inline(never)
    private func respondBeforeDeadline(
        _ stream: RPCServerStream, route: RPCRouter.Route, context: ServerContext
    ) async throws -> Metadata {
        try await withDeadline(stream.deadline) {
            try await respond(stream, route: route, context: context)
        }
    }

    /// Runs the call through the interceptors and the handler; returns the trailers of a call that succeeded.
    nonisolated(nonsending) private func respond(
        _ stream: RPCServerStream, route: RPCRouter.Route, context: ServerContext
    ) async throws -> Metadata {
        if let unary = route.unary, let unaryInterceptors {
            return try await Self.runUnary(stream, context: context, handler: unary, interceptors: unaryInterceptors)
        }
        return try await Self.run(stream, context: context, handler: route.handler, interceptors: interceptors)
    }

    @inline(never)
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
    nonisolated(nonsending) private static func runUnary(
        _ stream: RPCServerStream,
        context: ServerContext,
        handler: RPCRouter.RawUnaryHandler,
        interceptors: [any UnaryServerInterceptor]
    ) async throws -> Metadata {
        var inbound = stream.inbound.makeAsyncIterator()
        let metadata = try await requestMetadata(&inbound)
        let response: ServerResponse<ByteBuffer>
        if interceptors.isEmpty {
            response = try await callUnary(handler, metadata, context, &inbound)
        } else {
            let iterator = inbound
            response = try await interceptUnary(metadata, context, interceptors[...]) { metadata, context in
                // Copies of this iterator share one underlying stream, so a local copy advances it.
                var inbound = iterator
                return try await callUnary(handler, metadata, context, &inbound)
            }
        }
        try await stream.outbound.write(.metadata(response.metadata))
        try await stream.outbound.write(.message(response.message))
        return response.trailers
    }

    /// Reads the one request message and runs the handler, which checks that no second message follows.
    nonisolated(nonsending) private static func callUnary(
        _ handler: RPCRouter.RawUnaryHandler,
        _ metadata: Metadata,
        _ context: ServerContext,
        _ inbound: inout RPCAsyncSequence<RPCRequestPart>.AsyncIterator
    ) async throws -> ServerResponse<ByteBuffer> {
        guard let message = try await nextMessage(&inbound) else { throw RPCRouter.noRequestMessage }
        return try await handler(
            ServerRequest(metadata: metadata, message: message), context,
            {
                switch try inbound.poll() {
                case .end: return true
                case .wouldWait: return false
                case .element(let part): _ = try Self.message(in: part)
                }
                throw RPCRouter.extraRequestMessage
            },
            { guard try await nextMessage(&inbound) == nil else { throw RPCRouter.extraRequestMessage } })
    }

    nonisolated(nonsending) private static func interceptUnary(
        _ metadata: Metadata,
        _ context: ServerContext,
        _ interceptors: ArraySlice<any UnaryServerInterceptor>,
        _ call: nonisolated(nonsending) @Sendable (Metadata, ServerContext) async throws
            -> ServerResponse<ByteBuffer>
    ) async throws -> ServerResponse<ByteBuffer> {
        guard let first = interceptors.first else { return try await call(metadata, context) }
        return try await first.interceptUnary(metadata: metadata, context: context) { metadata, context in
            try await interceptUnary(metadata, context, interceptors.dropFirst(), call)
        }
    }

    @inline(__always)
    nonisolated(nonsending) private static func requestMetadata(
        _ inbound: inout RPCAsyncSequence<RPCRequestPart>.AsyncIterator
    ) async throws -> Metadata {
        guard case .metadata(let metadata)? = try await inbound.next() else {
            throw RPCError(code: .internalError, message: "The stream did not start with metadata.")
        }
        return metadata
    }

    @inline(__always)
    nonisolated(nonsending) private static func nextMessage(
        _ inbound: inout RPCAsyncSequence<RPCRequestPart>.AsyncIterator
    ) async throws -> ByteBuffer? {
        try (try await inbound.next()).map(message(in:))
    }

    /// The message a part after the first carries: metadata there is a protocol violation.
    @inline(__always)
    private static func message(in part: RPCRequestPart) throws -> ByteBuffer {
        guard case .message(let bytes) = part else {
            throw RPCError(code: .internalError, message: "Metadata arrived after messages.")
        }
        return bytes
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
