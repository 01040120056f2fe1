import NIOConcurrencyHelpers
import NIOCore

/// Makes RPCs over any `ClientTransport`: serialization, interceptors, deadlines and the four call
/// shapes. Every failure surfaces as an `RPCError`.
public struct RPCClient: Sendable {
    public let transport: any ClientTransport
    public let interceptors: [any ClientInterceptor]

    public init(transport: any ClientTransport, interceptors: [any ClientInterceptor] = []) {
        self.transport = transport
        self.interceptors = interceptors
    }

    public func unary<Request: Sendable, Response: Sendable>(
        request: ClientRequest<Request>,
        descriptor: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Response> {
        try await bidirectionalStreaming(
            request: StreamingClientRequest(single: request),
            descriptor: descriptor,
            serializer: serializer,
            deserializer: deserializer,
            options: options
        ) { try await Self.single($0) }
    }

    public func clientStreaming<Request: Sendable, Response: Sendable>(
        request: StreamingClientRequest<Request>,
        descriptor: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Response> {
        try await bidirectionalStreaming(
            request: request,
            descriptor: descriptor,
            serializer: serializer,
            deserializer: deserializer,
            options: options
        ) { try await Self.single($0) }
    }

    public func serverStreaming<Request: Sendable, Response: Sendable, Result: Sendable>(
        request: ClientRequest<Request>,
        descriptor: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Response>) async throws -> Result
    ) async throws -> Result {
        try await bidirectionalStreaming(
            request: StreamingClientRequest(single: request),
            descriptor: descriptor,
            serializer: serializer,
            deserializer: deserializer,
            options: options,
            onResponse: onResponse
        )
    }

    /// The general call: every other shape is this one with a single request or response.
    /// `onResponse` runs while the stream is open; when it returns the stream is closed.
    public func bidirectionalStreaming<Request: Sendable, Response: Sendable, Result: Sendable>(
        request: StreamingClientRequest<Request>,
        descriptor: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Response>) async throws -> Result
    ) async throws -> Result {
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        let rawRequest = request.map { message in
            do {
                return try serializer.serialize(message)
            } catch {
                throw RPCError(code: .internalError, message: "Could not serialize the request.", cause: error)
            }
        }
        let context = ClientContext(descriptor: descriptor, options: options, deadline: deadline)
        let transport = self.transport
        let interceptors = self.interceptors
        do {
            return try await withDeadline(deadline) {
                try await transport.withStream(descriptor: descriptor, options: options, deadline: deadline) { stream in
                    let producer = ProducerTask()
                    defer { producer.cancel() }
                    let rawResponse = try await Self.intercept(rawRequest, context, interceptors[...]) { request, _ in
                        try await stream.outbound.write(.metadata(request.metadata))
                        producer.start(request, on: stream.outbound)
                        return try await Self.readResponse(stream.inbound, maxMessageBytes: options.maxResponseMessageBytes)
                    }
                    return try await onResponse(rawResponse.map { bytes in
                        do {
                            return try deserializer.deserialize(bytes)
                        } catch {
                            throw RPCError(code: .internalError, message: "Could not deserialize the response.", cause: error)
                        }
                    })
                }
            }
        } catch {
            throw RPCError(wrapping: error)
        }
    }

    private static func intercept(
        _ request: StreamingClientRequest<ByteBuffer>,
        _ context: ClientContext,
        _ interceptors: ArraySlice<any ClientInterceptor>,
        _ last: (StreamingClientRequest<ByteBuffer>, ClientContext) async throws -> StreamingClientResponse<ByteBuffer>
    ) async throws -> StreamingClientResponse<ByteBuffer> {
        guard let first = interceptors.first else { return try await last(request, context) }
        return try await first.intercept(request: request, context: context) { request, context in
            try await intercept(request, context, interceptors.dropFirst(), last)
        }
    }

    /// Reads the response head: metadata then a body, or a Trailers-Only status.
    static func readResponse(
        _ inbound: RPCAsyncSequence<RPCResponsePart>,
        maxMessageBytes: Int
    ) async throws -> StreamingClientResponse<ByteBuffer> {
        var iterator = inbound.makeAsyncIterator()
        switch try await iterator.next() {
        case .metadata(let metadata):
            let reader = ResponseBodyReader(iterator: iterator, maxMessageBytes: maxMessageBytes)
            return StreamingClientResponse(metadata: metadata, bodyParts: RPCAsyncSequence(makeNext: { reader.next }))
        case .status(let status, let trailers):
            if status.code == .ok {
                return StreamingClientResponse(metadata: [:], bodyParts: .elements([.trailers(trailers)]))
            }
            return StreamingClientResponse(
                error: RPCError(code: status.code, message: status.message, metadata: trailers)
            )
        case .message:
            throw RPCError(code: .internalError, message: "The server sent a message before metadata.")
        case nil:
            throw RPCError(code: .unavailable, message: "The stream closed without a status.")
        }
    }

    static func single<M: Sendable>(_ response: StreamingClientResponse<M>) async throws -> ClientResponse<M> {
        let contents = try response.accepted.get()
        var message: M?
        var trailers: Metadata = [:]
        for try await part in contents.bodyParts {
            switch part {
            case .message(let next):
                guard message == nil else {
                    throw RPCError(code: .internalError, message: "The server sent more than one response message.")
                }
                message = next
            case .trailers(let metadata):
                trailers = metadata
            }
        }
        guard let message else {
            throw RPCError(code: .internalError, message: "The server sent no response message.")
        }
        return ClientResponse(metadata: contents.metadata, message: message, trailers: trailers)
    }
}

/// Turns the parts after the response metadata into body parts, ending at the status.
private final class ResponseBodyReader: Sendable {
    private let iterator: RPCAsyncSequence<RPCResponsePart>.AsyncIterator
    private let finished = NIOLockedValueBox(false)
    private let maxMessageBytes: Int

    init(iterator: RPCAsyncSequence<RPCResponsePart>.AsyncIterator, maxMessageBytes: Int) {
        self.iterator = iterator
        self.maxMessageBytes = maxMessageBytes
    }

    @Sendable func next() async throws -> StreamingClientResponse<ByteBuffer>.BodyPart? {
        if finished.withLockedValue({ $0 }) { return nil }
        var iterator = self.iterator
        switch try await iterator.next() {
        case .message(let bytes):
            guard bytes.readableBytes <= maxMessageBytes else {
                throw RPCError(
                    code: .resourceExhausted,
                    message: "Response message of \(bytes.readableBytes) bytes exceeds the limit of \(maxMessageBytes)."
                )
            }
            return .message(bytes)
        case .status(let status, let trailers):
            finished.withLockedValue { $0 = true }
            guard status.code == .ok else {
                throw RPCError(code: status.code, message: status.message, metadata: trailers)
            }
            return .trailers(trailers)
        case .metadata:
            throw RPCError(code: .internalError, message: "The server sent metadata twice.")
        case nil:
            throw RPCError(code: .unavailable, message: "The stream closed without a status.")
        }
    }
}

/// The task writing a call's request messages, concurrently with reading its response.
private final class ProducerTask: Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(_ request: StreamingClientRequest<ByteBuffer>, on outbound: ClosableRPCWriter<RPCRequestPart>) {
        let started = Task {
            do {
                try await request.producer(outbound.writer.map { .message($0) })
                await outbound.finish()
            } catch {
                await outbound.finish(throwing: error)
            }
        }
        task.withLockedValue { $0 = started }
    }

    func cancel() { task.withLockedValue { $0?.cancel() } }
}
