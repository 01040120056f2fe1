import NIOCore

/// Maps method paths to handlers. Each call shape is adapted to one raw streaming handler over bytes.
/// The adapters are `@inlinable` so they are specialized for the message types where a service registers.
public struct RPCRouter: Sendable {
    public typealias RawHandler = @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
        -> StreamingServerResponse<ByteBuffer>

    /// A unary method over bytes, for servers whose interceptors (if any) all take unary calls whole
    /// (`UnaryServerInterceptor`): far fewer async frames and closures per call than its streaming adapter. It
    /// decodes the message, then checks that the request ended (`endedNow`, else `requireEnd`, which waits; both
    /// fail if the client sent a second message), then calls the handler: the streaming adapter's order, so errors
    /// are the same.
    ///
    /// Nonsending, as are the server's unary steps: no executor hop on entering each (with handlers preferring
    /// their event loop, every hop takes the task's status lock). `endedNow` answers without waiting when the end has
    /// arrived, as it usually has, so the check makes no `await`, whose resumption would hop.
    public typealias RawUnaryHandler = nonisolated(nonsending) @Sendable (
        ServerRequest<ByteBuffer>, ServerContext, _ endedNow: () throws -> Bool,
        _ requireEnd: nonisolated(nonsending) () async throws -> Void
    ) async throws -> ServerResponse<ByteBuffer>

    /// How one method is served.
    public struct Route: Sendable {
        public let descriptor: MethodDescriptor
        public let handler: RawHandler
        /// Set for unary methods registered through `registerUnary`.
        public let unary: RawUnaryHandler?
    }

    /// Keyed by `:path`, so routing a call is one dictionary lookup, with no parsing.
    @usableFromInline var routes: [String: Route] = [:]

    public init() {}

    public var methods: [MethodDescriptor] { routes.values.map(\.descriptor) }

    /// Registers a raw handler; the typed `register` functions below all end here.
    public mutating func register(_ descriptor: MethodDescriptor, handler: @escaping RawHandler) {
        register(descriptor, handler: handler, unary: nil)
    }

    @usableFromInline
    mutating func register(_ descriptor: MethodDescriptor, handler: @escaping RawHandler, unary: RawUnaryHandler?) {
        routes[descriptor.path] = Route(descriptor: descriptor, handler: handler, unary: unary)
    }

    /// How `path` is served, if it names a method.
    public func route(forPath path: String) -> Route? { routes[path] }

    @inlinable
    public mutating func registerBidirectionalStreaming<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (StreamingServerRequest<Request>, ServerContext) async throws
            -> StreamingServerResponse<Response>
    ) {
        register(descriptor, handler: Self.raw(deserializer, serializer, handler))
    }

    /// The streaming handler over bytes that every call shape is adapted to.
    @inlinable
    static func raw<Request: Sendable, Response: Sendable>(
        _ deserializer: some MessageDeserializer<Request>,
        _ serializer: some MessageSerializer<Response>,
        _ handler: @escaping @Sendable (StreamingServerRequest<Request>, ServerContext) async throws
            -> StreamingServerResponse<Response>
    ) -> RawHandler {
        { request, context in
            let typed = StreamingServerRequest(
                metadata: request.metadata,
                messages: request.messages.map { bytes in try Self.decode(bytes, deserializer) }
            )
            return try await handler(typed, context).map { try serializer.serialize($0) }
        }
    }

    @inlinable
    public mutating func registerServerStreaming<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (ServerRequest<Request>, ServerContext) async throws
            -> StreamingServerResponse<Response>
    ) {
        registerBidirectionalStreaming(descriptor, deserializer: deserializer, serializer: serializer) {
            request, context in
            try await handler(try await Self.single(request), context)
        }
    }

    @inlinable
    public mutating func registerClientStreaming<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (StreamingServerRequest<Request>, ServerContext) async throws
            -> ServerResponse<Response>
    ) {
        registerBidirectionalStreaming(descriptor, deserializer: deserializer, serializer: serializer) {
            request, context in
            StreamingServerResponse(single: try await handler(request, context))
        }
    }

    @inlinable
    public mutating func registerUnary<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (ServerRequest<Request>, ServerContext) async throws -> ServerResponse<Response>
    ) {
        let streaming = Self.raw(deserializer, serializer) { request, context in
            StreamingServerResponse(single: try await handler(try await Self.single(request), context))
        }
        register(descriptor, handler: streaming) { request, context, endedNow, requireEnd in
            let message = try Self.decode(request.message, deserializer)
            if try !endedNow() { try await requireEnd() }
            let response = try await handler(ServerRequest(metadata: request.metadata, message: message), context)
            return ServerResponse(
                metadata: response.metadata, message: try serializer.serialize(response.message),
                trailers: response.trailers)
        }
    }

    @inlinable
    static func decode<M>(_ bytes: ByteBuffer, _ deserializer: some MessageDeserializer<M>) throws -> M {
        do {
            return try deserializer.deserialize(bytes)
        } catch {
            throw RPCError(code: .internalError, message: "Could not deserialize the request message.", cause: error)
        }
    }

    /// The one message of a unary request: none or several is a protocol violation.
    @inlinable
    static func single<M: Sendable>(_ request: StreamingServerRequest<M>) async throws -> ServerRequest<M> {
        var iterator = request.messages.makeAsyncIterator()
        guard let message = try await iterator.next() else { throw noRequestMessage }
        guard try await iterator.next() == nil else { throw extraRequestMessage }
        return ServerRequest(metadata: request.metadata, message: message)
    }

    @usableFromInline
    static let noRequestMessage = RPCError(
        code: .internalError, message: "The client sent no request message for a unary method.")

    @usableFromInline
    static let extraRequestMessage = RPCError(code: .internalError, message: "The client sent more than one request message.")
}
