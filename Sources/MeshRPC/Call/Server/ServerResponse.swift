/// A single-message response (unary and client-streaming methods); to fail, throw an `RPCError`.
public struct ServerResponse<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var message: Message
    public var trailers: Metadata

    @inlinable
    public init(metadata: Metadata = [:], message: Message, trailers: Metadata = [:]) {
        self.metadata = metadata
        self.message = message
        self.trailers = trailers
    }
}

/// A streaming response: initial metadata and a producer that writes messages and returns the
/// trailers, or an error sent straight away (as a Trailers-Only response on HTTP/2).
public struct StreamingServerResponse<Message: Sendable>: Sendable {
    public struct Contents: Sendable {
        public var metadata: Metadata
        public var producer: @Sendable (RPCWriter<Message>) async throws -> Metadata

        @inlinable
        public init(metadata: Metadata, producer: @escaping @Sendable (RPCWriter<Message>) async throws -> Metadata) {
            self.metadata = metadata
            self.producer = producer
        }
    }

    public var accepted: Result<Contents, RPCError>

    @inlinable
    public init(metadata: Metadata = [:], producer: @escaping @Sendable (RPCWriter<Message>) async throws -> Metadata) {
        accepted = .success(Contents(metadata: metadata, producer: producer))
    }

    @inlinable
    public init(error: RPCError) { accepted = .failure(error) }

    @inlinable
    public init(single response: ServerResponse<Message>) {
        self.init(metadata: response.metadata) { writer in
            try await writer.write(response.message)
            return response.trailers
        }
    }

    /// The same response with messages transformed (serialization, for instance).
    @inlinable
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Message) throws -> T) -> StreamingServerResponse<T> {
        switch accepted {
        case .failure(let error):
            return StreamingServerResponse<T>(error: error)
        case .success(let contents):
            return StreamingServerResponse<T>(metadata: contents.metadata) { writer in
                try await contents.producer(writer.map(transform))
            }
        }
    }
}
