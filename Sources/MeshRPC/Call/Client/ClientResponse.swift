/// The response of a call with one response message; a failed call throws `RPCError` instead.
public struct ClientResponse<Message: Sendable>: Sendable {
    public var metadata: Metadata
    public var message: Message
    public var trailers: Metadata

    public init(metadata: Metadata = [:], message: Message, trailers: Metadata = [:]) {
        self.metadata = metadata
        self.message = message
        self.trailers = trailers
    }
}

/// A streaming response: initial metadata and body parts (messages, then trailers), or the error
/// the server rejected the call with. `messages` is the usual way in; it throws a non-OK status.
public struct StreamingClientResponse<Message: Sendable>: Sendable {
    public enum BodyPart: Sendable {
        case message(Message)
        case trailers(Metadata)
    }

    public struct Contents: Sendable {
        public var metadata: Metadata
        public var bodyParts: RPCAsyncSequence<BodyPart>

        public init(metadata: Metadata, bodyParts: RPCAsyncSequence<BodyPart>) {
            self.metadata = metadata
            self.bodyParts = bodyParts
        }
    }

    public var accepted: Result<Contents, RPCError>

    public init(metadata: Metadata, bodyParts: RPCAsyncSequence<BodyPart>) {
        accepted = .success(Contents(metadata: metadata, bodyParts: bodyParts))
    }

    public init(error: RPCError) { accepted = .failure(error) }

    /// Initial metadata; empty for a rejected call.
    public var metadata: Metadata { (try? accepted.get().metadata) ?? [:] }

    /// The response messages; throws the call's error (a non-OK status) at the point it arrives.
    public var messages: RPCAsyncSequence<Message> {
        switch accepted {
        case .failure(let error):
            return RPCAsyncSequence(makeNext: { { throw error } })
        case .success(let contents):
            let parts = contents.bodyParts
            return RPCAsyncSequence(makeNext: {
                let iterator = parts.makeAsyncIterator()
                return {
                    var iterator = iterator
                    while let part = try await iterator.next() {
                        if case .message(let message) = part { return message }
                    }
                    return nil
                }
            })
        }
    }

    public func map<T: Sendable>(_ transform: @escaping @Sendable (Message) throws -> T) -> StreamingClientResponse<T> {
        switch accepted {
        case .failure(let error):
            return StreamingClientResponse<T>(error: error)
        case .success(let contents):
            return StreamingClientResponse<T>(
                metadata: contents.metadata,
                bodyParts: contents.bodyParts.map { part in
                    switch part {
                    case .message(let message): return .message(try transform(message))
                    case .trailers(let trailers): return .trailers(trailers)
                    }
                }
            )
        }
    }
}
