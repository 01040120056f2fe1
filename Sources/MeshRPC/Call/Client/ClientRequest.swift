/// A request with one message (unary and server-streaming calls).
public struct ClientRequest<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var message: Message

    public init(metadata: Metadata = [:], message: Message) {
        self.metadata = metadata
        self.message = message
    }
}

/// A request whose messages a producer writes (client-streaming and bidirectional calls); the
/// request stream ends when the producer returns, and is aborted when it throws.
public struct StreamingClientRequest<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var producer: @Sendable (RPCWriter<Message>) async throws -> Void

    public init(metadata: Metadata = [:], producer: @escaping @Sendable (RPCWriter<Message>) async throws -> Void) {
        self.metadata = metadata
        self.producer = producer
    }

    public init(single request: ClientRequest<Message>) {
        self.init(metadata: request.metadata) { try await $0.write(request.message) }
    }

    public func map<T: Sendable>(_ transform: @escaping @Sendable (Message) throws -> T) -> StreamingClientRequest<T> {
        let producer = self.producer
        return StreamingClientRequest<T>(metadata: metadata) { writer in
            try await producer(writer.map(transform))
        }
    }
}
