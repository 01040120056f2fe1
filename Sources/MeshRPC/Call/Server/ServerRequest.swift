/// A request with exactly one message (unary and server-streaming methods).
public struct ServerRequest<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var message: Message

    @inlinable
    public init(metadata: Metadata = [:], message: Message) {
        self.metadata = metadata
        self.message = message
    }
}

/// A request with a stream of messages (client-streaming and bidirectional methods).
public struct StreamingServerRequest<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var messages: RPCAsyncSequence<Message>

    @inlinable
    public init(metadata: Metadata = [:], messages: RPCAsyncSequence<Message>) {
        self.metadata = metadata
        self.messages = messages
    }
}
