import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// The RPC core end to end over the in-process transport: call shapes, metadata, errors,
/// interceptors, deadlines and cancellation, without sockets.
@Suite struct InProcessTransportTests {
    static let echo = MethodDescriptor(service: "test.Echo", method: "Get")
    static let collect = MethodDescriptor(service: "test.Echo", method: "Collect")
    static let expand = MethodDescriptor(service: "test.Echo", method: "Expand")
    static let update = MethodDescriptor(service: "test.Echo", method: "Update")
    static let sleep = MethodDescriptor(service: "test.Echo", method: "Sleep")
    let coder = ByteArrayCoder()

    /// Observes handler cancellations.
    final class Probe: Sendable {
        let started = NIOLockedValueBox(0)
        let cancelled = NIOLockedValueBox(0)
    }

    static func router(probe: Probe) -> RPCRouter {
        var router = RPCRouter()
        let coder = ByteArrayCoder()
        router.registerUnary(echo, deserializer: coder, serializer: coder) { request, _ in
            if let code = request.metadata.first("fail").flatMap(Int.init) {
                throw RPCError(code: RPCError.Code(rawValue: code), message: "asked to fail", metadata: ["why": "test"])
            }
            return ServerResponse(metadata: ["echo": "yes"], message: request.message, trailers: ["done": "1"])
        }
        router.registerClientStreaming(collect, deserializer: coder, serializer: coder) { request, _ in
            var all: [UInt8] = []
            for try await message in request.messages { all += message }
            return ServerResponse(message: all)
        }
        router.registerServerStreaming(expand, deserializer: coder, serializer: coder) { request, _ in
            StreamingServerResponse { writer in
                for byte in request.message { try await writer.write([byte]) }
                return ["count": "\(request.message.count)"]
            }
        }
        router.registerBidirectionalStreaming(update, deserializer: coder, serializer: coder) { request, _ in
            StreamingServerResponse { writer in
                for try await message in request.messages { try await writer.write(message.reversed()) }
                return [:]
            }
        }
        router.registerUnary(sleep, deserializer: coder, serializer: coder) { request, _ in
            probe.started.withLockedValue { $0 += 1 }
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                probe.cancelled.withLockedValue { $0 += 1 }
                throw error
            }
            return ServerResponse(message: request.message)
        }
        return router
    }

    /// Runs `body` with a client whose server serves `router` in process.
    func withClient(
        probe: Probe = Probe(),
        interceptors: [any ServerInterceptor] = [],
        clientInterceptors: [any ClientInterceptor] = [],
        _ body: (RPCClient) async throws -> Void
    ) async throws {
        let (clientTransport, serverTransport) = InProcessTransport.makePair()
        let server = RPCServer(transport: serverTransport, router: Self.router(probe: probe), interceptors: interceptors)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            try await body(RPCClient(transport: clientTransport, interceptors: clientInterceptors))
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test func unaryCarriesMessageMetadataAndTrailers() async throws {
        try await withClient { client in
            let response = try await client.unary(
                request: ClientRequest(message: [1, 2, 3]), descriptor: Self.echo, serializer: coder, deserializer: coder,
                options: CallOptions(waitForReady: true))
            #expect(response.message == [1, 2, 3])
            #expect(response.metadata.first("echo") == "yes")
            #expect(response.trailers.first("done") == "1")
        }
    }

    @Test func thrownErrorsBecomeStatusesWithTrailers() async throws {
        try await withClient { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    request: ClientRequest(metadata: ["fail": "7"], message: [1]), descriptor: Self.echo,
                    serializer: coder, deserializer: coder, options: CallOptions(waitForReady: true))
            }
            #expect(error?.code == .permissionDenied)
            #expect(error?.message == "asked to fail")
            #expect(error?.metadata.first("why") == "test")
        }
    }

    @Test func allFourCallShapes() async throws {
        try await withClient { client in
            let options = CallOptions(waitForReady: true)
            let collected = try await client.clientStreaming(
                request: StreamingClientRequest { writer in
                    try await writer.write([1])
                    try await writer.write([2, 3])
                },
                descriptor: Self.collect, serializer: coder, deserializer: coder, options: options)
            #expect(collected.message == [1, 2, 3])

            let expanded = try await client.serverStreaming(
                request: ClientRequest(message: [7, 8, 9]), descriptor: Self.expand, serializer: coder,
                deserializer: coder, options: options
            ) { response in
                var all: [[UInt8]] = []
                for try await message in response.messages { all.append(message) }
                return all
            }
            #expect(expanded == [[7], [8], [9]])

            let reversed = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { writer in
                    try await writer.write([1, 2])
                    try await writer.write([3, 4])
                },
                descriptor: Self.update, serializer: coder, deserializer: coder, options: options
            ) { response in
                var all: [[UInt8]] = []
                for try await message in response.messages { all.append(message) }
                return all
            }
            #expect(reversed == [[2, 1], [4, 3]])
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withClient { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    request: ClientRequest(message: [1]), descriptor: MethodDescriptor(service: "no", method: "Such"),
                    serializer: coder, deserializer: coder, options: CallOptions(waitForReady: true))
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test func deadlineCancelsTheHandlerAndFailsTheCall() async throws {
        let probe = Probe()
        try await withClient(probe: probe) { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    request: ClientRequest(message: [1]), descriptor: Self.sleep, serializer: coder, deserializer: coder,
                    options: CallOptions(timeout: .milliseconds(50), waitForReady: true))
            }
            #expect(error?.code == .deadlineExceeded)
        }
        // Every handler that got to run saw its cancellation (serve() drained them all).
        #expect(probe.cancelled.withLockedValue { $0 } == probe.started.withLockedValue { $0 })
    }

    @Test func clientCancellationReachesTheHandler() async throws {
        let probe = Probe()
        try await withClient(probe: probe) { client in
            let call = Task {
                try await client.unary(
                    request: ClientRequest(message: [1]), descriptor: Self.sleep, serializer: coder, deserializer: coder,
                    options: CallOptions(waitForReady: true))
            }
            while probe.started.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            call.cancel()
            let result = await call.result
            #expect(throws: RPCError.self) { try result.get() }
            #expect((try? result.get()) == nil)
            if case .failure(let error as RPCError) = result { #expect(error.code == .cancelled) }
        }
        #expect(probe.cancelled.withLockedValue { $0 } == 1)
    }

    @Test func noServerMeansUnavailableUnlessWaitingForReady() async throws {
        let (clientTransport, _) = InProcessTransport.makePair()
        let client = RPCClient(transport: clientTransport)
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(
                request: ClientRequest(message: [1]), descriptor: Self.echo, serializer: coder, deserializer: coder)
        }
        #expect(error?.code == .unavailable)
    }

    struct AuthInterceptor: ServerInterceptor {
        func intercept(
            request: StreamingServerRequest<ByteBuffer>,
            context: ServerContext,
            next: @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
                -> StreamingServerResponse<ByteBuffer>
        ) async throws -> StreamingServerResponse<ByteBuffer> {
            guard request.metadata.first("authorization") == "Bearer good" else {
                return StreamingServerResponse(error: RPCError(code: .unauthenticated, message: "no token"))
            }
            return try await next(request, context)
        }
    }

    struct TokenInterceptor: ClientInterceptor {
        let token: String
        func intercept(
            request: StreamingClientRequest<ByteBuffer>,
            context: ClientContext,
            next: (StreamingClientRequest<ByteBuffer>, ClientContext) async throws -> StreamingClientResponse<ByteBuffer>
        ) async throws -> StreamingClientResponse<ByteBuffer> {
            var request = request
            request.metadata.add("authorization", "Bearer \(token)")
            return try await next(request, context)
        }
    }

    @Test func interceptorsOnBothSides() async throws {
        try await withClient(interceptors: [AuthInterceptor()], clientInterceptors: [TokenInterceptor(token: "good")]) {
            client in
            let response = try await client.unary(
                request: ClientRequest(message: [5]), descriptor: Self.echo, serializer: coder, deserializer: coder,
                options: CallOptions(waitForReady: true))
            #expect(response.message == [5])
        }
        try await withClient(interceptors: [AuthInterceptor()], clientInterceptors: [TokenInterceptor(token: "bad")]) {
            client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    request: ClientRequest(message: [5]), descriptor: Self.echo, serializer: coder, deserializer: coder,
                    options: CallOptions(waitForReady: true))
            }
            #expect(error?.code == .unauthenticated)
        }
    }
}
