import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// A unary call takes a direct path when every interceptor of the server takes unary calls whole (or there are
/// none), and the streaming adapters otherwise: all must answer every request shape with the same parts, in the
/// same order, with the same statuses.
@Suite struct UnaryPathTests {
    static let echo = MethodDescriptor(service: "test.Echo", method: "Get")

    /// Fails to decode an empty message, so decoding errors can be provoked.
    struct StrictCoder: MessageSerializer, MessageDeserializer {
        func serialize(_ message: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: message) }
        func deserialize(_ bytes: ByteBuffer) throws -> [UInt8] {
            guard bytes.readableBytes > 0 else { throw RPCError(code: .invalidArgument, message: "empty") }
            return Array(bytes.readableBytesView)
        }
    }

    /// What the server wrote for one stream whose request consisted of `parts`. With `fastPaths`, the request comes
    /// from a queue that can be polled (as a transport's does) and the writer takes every other part synchronously.
    static func serve(
        _ parts: [RPCRequestPart], interceptors: [any ServerInterceptor], fastPaths: Bool = false
    ) async -> [RPCResponsePart] {
        var router = RPCRouter()
        router.registerUnary(echo, deserializer: StrictCoder(), serializer: StrictCoder()) { request, _ in
            ServerResponse(metadata: ["echo": "yes"], message: request.message, trailers: ["done": "1"])
        }
        let written = NIOLockedValueBox<[RPCResponsePart]>([])
        var inbound = RPCAsyncSequence<RPCRequestPart>.elements(parts)
        var tryWrite: (@Sendable (RPCResponsePart) throws -> Bool)?
        if fastPaths {
            let queue = RPCMessageQueue<RPCRequestPart>()
            for part in parts { queue.yield(part) }
            queue.finish()
            inbound = queue.sequence
            tryWrite = { part in
                written.withLockedValue { written in
                    guard written.count.isMultiple(of: 2) else { return false }
                    written.append(part)
                    return true
                }
            }
        }
        let stream = RPCServerStream(
            path: echo.path, deadline: nil, peer: RPCPeer(name: "test"), inbound: inbound,
            outbound: ClosableRPCWriter(
                write: { part in written.withLockedValue { $0.append(part) } }, tryWrite: tryWrite, finish: { _ in }))
        let server = RPCServer(
            transport: InProcessTransport.makePair().server, router: router, interceptors: interceptors)
        await server.handle(stream)
        return written.withLockedValue { $0 }
    }

    static func bytes(_ values: [UInt8]) -> RPCRequestPart { .message(ByteBuffer(bytes: values)) }

    /// Lets every call through, noting which path it was asked on and how each unary call it saw ended.
    final class RecordingInterceptor: UnaryServerInterceptor {
        let paths = NIOLockedValueBox<[String]>([])
        let outcomes = NIOLockedValueBox<[String]>([])

        func intercept(
            request: StreamingServerRequest<ByteBuffer>,
            context: ServerContext,
            next: @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
                -> StreamingServerResponse<ByteBuffer>
        ) async throws -> StreamingServerResponse<ByteBuffer> {
            paths.withLockedValue { $0.append("streaming") }
            return try await next(request, context)
        }

        nonisolated(nonsending) func interceptUnary(
            metadata: Metadata,
            context: ServerContext,
            next: nonisolated(nonsending) @Sendable (Metadata, ServerContext) async throws -> ServerResponse<ByteBuffer>
        ) async throws -> ServerResponse<ByteBuffer> {
            paths.withLockedValue { $0.append("unary") }
            do {
                let response = try await next(metadata, context)
                outcomes.withLockedValue { $0.append("OK") }
                return response
            } catch {
                outcomes.withLockedValue { $0.append(RPCError(wrapping: error).message) }
                throw error
            }
        }
    }

    enum Interception: CaseIterable, Sendable {
        case none
        /// An interceptor that only streams forces the streaming adapters.
        case streaming
        /// One that takes unary calls whole keeps the direct path.
        case unary
        /// One of each: the streaming adapters again.
        case mixed
    }

    @Test(arguments: Interception.allCases, [false, true])
    func everyPathAnswersAlike(interception: Interception, fastPaths: Bool) async {
        let recorder = RecordingInterceptor()
        let interceptors: [any ServerInterceptor] =
            switch interception {
            case .none: []
            case .streaming: [InProcessTransportTests.AuthInterceptor()]
            case .unary: [recorder]
            case .mixed: [recorder, InProcessTransportTests.AuthInterceptor()]
            }
        let metadata = RPCRequestPart.metadata(["authorization": "Bearer good"])
        let internalError = { (message: String) in
            [RPCResponsePart.status(Status(code: .internalError, message: message), [:])]
        }

        #expect(
            await Self.serve([metadata, Self.bytes([7])], interceptors: interceptors, fastPaths: fastPaths) == [
                .metadata(["echo": "yes"]), .message(ByteBuffer(bytes: [7])), .status(.ok, ["done": "1"]),
            ])
        #expect(
            await Self.serve([metadata], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("The client sent no request message for a unary method."))
        #expect(
            await Self.serve([metadata, Self.bytes([1]), Self.bytes([2])], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("The client sent more than one request message."))
        // The message is decoded before a second one is looked for, so a bad first message is what is reported.
        #expect(
            await Self.serve([metadata, Self.bytes([]), Self.bytes([2])], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("Could not deserialize the request message."))
        #expect(
            await Self.serve([metadata, .metadata(["y": "2"])], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("Metadata arrived after messages."))
        #expect(
            await Self.serve([metadata, Self.bytes([1]), .metadata(["y": "2"])], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("Metadata arrived after messages."))
        #expect(
            await Self.serve([Self.bytes([1])], interceptors: interceptors, fastPaths: fastPaths)
                == internalError("The stream did not start with metadata."))

        // Interceptors see every call that started with metadata, on the path the server chose for it.
        switch interception {
        case .none, .streaming:
            break
        case .unary:
            #expect(recorder.paths.withLockedValue { $0 } == Array(repeating: "unary", count: 6))
            // The missing, extra and undecodable messages are errors of the call, so the interceptor sees them.
            #expect(
                recorder.outcomes.withLockedValue { $0 } == [
                    "OK", "The client sent no request message for a unary method.",
                    "The client sent more than one request message.", "Could not deserialize the request message.",
                    "Metadata arrived after messages.", "Metadata arrived after messages.",
                ])
        case .mixed:
            #expect(recorder.paths.withLockedValue { $0 } == Array(repeating: "streaming", count: 6))
        }
    }

    /// An interceptor on the direct path can change the metadata the handler sees.
    @Test func unaryInterceptorPassesItsMetadataOn() async {
        struct Tagger: UnaryServerInterceptor {
            func intercept(
                request: StreamingServerRequest<ByteBuffer>,
                context: ServerContext,
                next: @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
                    -> StreamingServerResponse<ByteBuffer>
            ) async throws -> StreamingServerResponse<ByteBuffer> {
                try await next(request, context)
            }

            nonisolated(nonsending) func interceptUnary(
                metadata: Metadata,
                context: ServerContext,
                next: nonisolated(nonsending) @Sendable (Metadata, ServerContext) async throws
                    -> ServerResponse<ByteBuffer>
            ) async throws -> ServerResponse<ByteBuffer> {
                var metadata = metadata
                metadata.add("tag", "set")
                return try await next(metadata, context)
            }
        }
        let seen = NIOLockedValueBox<[String]>([])
        var router = RPCRouter()
        router.registerUnary(Self.echo, deserializer: StrictCoder(), serializer: StrictCoder()) { request, _ in
            seen.withLockedValue { $0 = request.metadata[stringValues: "tag"] }
            return ServerResponse(message: request.message)
        }
        let stream = RPCServerStream(
            path: Self.echo.path, deadline: nil, peer: RPCPeer(name: "test"), inbound: .elements([.metadata([:]), Self.bytes([3])]),
            outbound: ClosableRPCWriter(write: { _ in }, finish: { _ in }))
        await RPCServer(transport: InProcessTransport.makePair().server, router: router, interceptors: [Tagger()])
            .handle(stream)
        #expect(seen.withLockedValue { $0 } == ["set"])
    }
}
