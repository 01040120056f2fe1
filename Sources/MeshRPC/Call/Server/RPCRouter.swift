import NIOCore

/// Maps method paths to handlers. Each call shape is adapted to one raw streaming handler over bytes.
public struct RPCRouter: Sendable {
    public typealias RawHandler = @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
        -> StreamingServerResponse<ByteBuffer>

    /// Keyed by `:path`, so routing a call is one dictionary lookup, with no parsing.
    private(set) var handlers: [String: (descriptor: MethodDescriptor, handler: RawHandler)] = [:]

    public init() {}

    public var methods: [MethodDescriptor] { handlers.values.map(\.descriptor) }

    /// Registers a raw handler; the typed `register` functions below all end here.
    public mutating func register(_ descriptor: MethodDescriptor, handler: @escaping RawHandler) {
        handlers[descriptor.path] = (descriptor, handler)
    }

    /// The method and handler serving `path`, if any.
    public func route(forPath path: String) -> (descriptor: MethodDescriptor, handler: RawHandler)? { handlers[path] }

    public mutating func registerBidirectionalStreaming<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (StreamingServerRequest<Request>, ServerContext) async throws
            -> StreamingServerResponse<Response>
    ) {
        register(descriptor) { request, context in
            let typed = StreamingServerRequest(
                metadata: request.metadata,
                messages: request.messages.map { bytes in try Self.decode(bytes, deserializer) }
            )
            return try await handler(typed, context).map { try serializer.serialize($0) }
        }
    }

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

    public mutating func registerUnary<Request: Sendable, Response: Sendable>(
        _ descriptor: MethodDescriptor,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (ServerRequest<Request>, ServerContext) async throws -> ServerResponse<Response>
    ) {
        registerBidirectionalStreaming(descriptor, deserializer: deserializer, serializer: serializer) {
            request, context in
            StreamingServerResponse(single: try await handler(try await Self.single(request), context))
        }
    }

    private static func decode<M>(_ bytes: ByteBuffer, _ deserializer: some MessageDeserializer<M>) throws -> M {
        do {
            return try deserializer.deserialize(bytes)
        } catch {
            throw RPCError(code: .internalError, message: "Could not deserialize the request message.", cause: error)
        }
    }

    /// The one message of a unary request: none or several is a protocol violation.
    static func single<M: Sendable>(_ request: StreamingServerRequest<M>) async throws -> ServerRequest<M> {
        var iterator = request.messages.makeAsyncIterator()
        guard let message = try await iterator.next() else {
            throw RPCError(code: .internalError, message: "The client sent no request message for a unary method.")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .internalError, message: "The client sent more than one request message.")
        }
        return ServerRequest(metadata: request.metadata, message: message)
    }
}
