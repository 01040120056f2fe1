import MeshRPC
import MeshRPCHTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Our client against our server over loopback sockets: flow control, balancing, reconnecting,
/// graceful shutdown.
@Suite struct HTTP2TransportTests {
    static let chunks = MethodDescriptor(service: "test.Flow", method: "Chunks")
    static let who = MethodDescriptor(service: "test.Flow", method: "Who")
    static let slow = MethodDescriptor(service: "test.Flow", method: "Slow")
    let coder = RawBytesCoder()

    final class Counter: Sendable {
        let value = NIOLockedValueBox(0)
        func increment() { value.withLockedValue { $0 += 1 } }
        var current: Int { value.withLockedValue { $0 } }
    }

    /// A server whose `Chunks` streams 64 × 1 MiB and counts how many it has written, `Who` answers
    /// with `name`, and `Slow` takes 300 ms.
    struct Fixture {
        let server: RPCServer
        let transport: HTTP2ServerTransport
        let written = Counter()
        let slowStarted = Counter()

        init(name: String, port: Int = 0) {
            transport = HTTP2ServerTransport(host: "127.0.0.1", port: port)
            var router = RPCRouter()
            let coder = RawBytesCoder()
            let written = self.written
            let slowStarted = self.slowStarted
            router.registerServerStreaming(HTTP2TransportTests.chunks, deserializer: coder, serializer: coder) { _, _ in
                StreamingServerResponse { writer in
                    for _ in 0..<64 {
                        try await writer.write(ByteBuffer(repeating: 1, count: 1 << 20))
                        written.increment()
                    }
                    return [:]
                }
            }
            router.registerUnary(HTTP2TransportTests.who, deserializer: coder, serializer: coder) { _, _ in
                ServerResponse(message: ByteBuffer(string: name))
            }
            router.registerUnary(HTTP2TransportTests.slow, deserializer: coder, serializer: coder) { request, _ in
                slowStarted.increment()
                try await Task.sleep(for: .milliseconds(300))
                return ServerResponse(message: request.message)
            }
            server = RPCServer(transport: transport, router: router)
        }

        func port() async throws -> Int { try await transport.listeningAddress.port! }
    }

    func withServers(_ fixtures: [Fixture], _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for fixture in fixtures { group.addTask { try await fixture.server.serve() } }
            defer { for fixture in fixtures { fixture.server.beginGracefulShutdown() } }
            try await body()
        }
    }

    @Test func slowReaderStopsTheWriterAndMemoryStaysBounded() async throws {
        let fixture = Fixture(name: "a")
        try await withServers([fixture]) {
            let client = HTTP2ClientTransport(target: .hostPort("127.0.0.1", try await fixture.port()))
            defer { Task { await client.close() } }
            let written = fixture.written
            let total = try await RPCClient(transport: client).serverStreaming(
                request: ClientRequest(message: ByteBuffer()), descriptor: Self.chunks, serializer: coder,
                deserializer: coder
            ) { response in
                var iterator = response.messages.makeAsyncIterator()
                var count = 0
                guard try await iterator.next() != nil else { return 0 }
                count += 1
                // Wait until the server's writer stops making progress: flow control has stopped it.
                var last = -1
                while written.current != last {
                    last = written.current
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(written.current < 24, "a reader that stopped let the writer run \(written.current) MiB ahead")
                while try await iterator.next() != nil { count += 1 }
                return count
            }
            #expect(total == 64)
        }
    }

    @Test func roundRobinOverAListOfServers() async throws {
        let first = Fixture(name: "first")
        let second = Fixture(name: "second")
        try await withServers([first, second]) {
            let client = HTTP2ClientTransport(target: .addresses([
                .init(host: "127.0.0.1", port: try await first.port()),
                .init(host: "127.0.0.1", port: try await second.port()),
            ]))
            defer { Task { await client.close() } }
            var seen: [String: Int] = [:]
            for _ in 0..<10 {
                let response = try await RPCClient(transport: client).unary(
                    request: ClientRequest(message: ByteBuffer()), descriptor: Self.who, serializer: coder,
                    deserializer: coder, options: CallOptions(waitForReady: true))
                seen[String(buffer: response.message), default: 0] += 1
            }
            #expect(seen["first", default: 0] >= 3)
            #expect(seen["second", default: 0] >= 3)
        }
    }

    @Test func moreConnectionsPerAddressAdmitMoreConcurrentStreams() async throws {
        // A server admitting two streams a connection, whose `Hold` calls wait until released.
        var serverConfiguration = HTTP2ServerConfiguration()
        serverConfiguration.session.maxConcurrentStreams = 2
        let transport = HTTP2ServerTransport(host: "127.0.0.1", port: 0, configuration: serverConfiguration)
        let hold = MethodDescriptor(service: "test.Flow", method: "Hold")
        let held = Counter()
        let released = NIOLockedValueBox(false)
        var router = RPCRouter()
        router.registerUnary(hold, deserializer: coder, serializer: coder) { request, _ in
            held.increment()
            while !released.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            return ServerResponse(message: request.message)
        }
        let server = RPCServer(transport: transport, router: router)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { server.beginGracefulShutdown() }
            var configuration = HTTP2ClientConfiguration()
            configuration.connectionsPerAddress = 3
            let client = HTTP2ClientTransport(
                target: .hostPort("127.0.0.1", try await transport.listeningAddress.port!), configuration: configuration)
            defer { Task { await client.close() } }
            let rpc = RPCClient(transport: client)
            let coder = self.coder
            try await withThrowingTaskGroup(of: String.self) { calls in
                for index in 0..<6 {
                    calls.addTask {
                        let response = try await rpc.unary(
                            request: ClientRequest(message: ByteBuffer(string: "call \(index)")), descriptor: hold,
                            serializer: coder, deserializer: coder, options: CallOptions(waitForReady: true))
                        return String(buffer: response.message)
                    }
                }
                // One connection would hold two in their handlers and queue the rest until released. How the six
                // spread over the three connections depends on which connects first (a call may take the first
                // one ready, and wait there for a free stream), but some call always lands on another connection.
                let perConnection = Int(serverConfiguration.session.maxConcurrentStreams)
                for _ in 0..<500 where held.current <= perConnection { try await Task.sleep(for: .milliseconds(10)) }
                #expect(held.current > perConnection)
                released.withLockedValue { $0 = true }
                let answers = try await calls.reduce(into: Set<String>()) { $0.insert($1) }
                #expect(answers == Set((0..<6).map { "call \($0)" }))
            }
        }
    }

    @Test func nothingListeningFailsFastWithUnavailable() async throws {
        // Bind and release a port so that nothing listens on it.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        let client = HTTP2ClientTransport(target: .hostPort("127.0.0.1", port))
        let error = await #expect(throws: RPCError.self) {
            try await RPCClient(transport: client).unary(
                request: ClientRequest(message: ByteBuffer()), descriptor: Self.who, serializer: coder, deserializer: coder)
        }
        #expect(error?.code == .unavailable)
        await client.close()
    }

    @Test func waitForReadyReconnectsWhenTheServerComesBack() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        var configuration = HTTP2ClientConfiguration()
        configuration.initialBackoff = .milliseconds(50)
        let client = HTTP2ClientTransport(target: .hostPort("127.0.0.1", port), configuration: configuration)
        defer { Task { await client.close() } }
        let call = Task {
            try await RPCClient(transport: client).unary(
                request: ClientRequest(message: ByteBuffer()), descriptor: Self.who, serializer: RawBytesCoder(),
                deserializer: RawBytesCoder(), options: CallOptions(timeout: .seconds(10), waitForReady: true))
        }
        try await Task.sleep(for: .milliseconds(200))
        let fixture = Fixture(name: "late", port: port)
        try await withServers([fixture]) {
            let response = try await call.value
            #expect(String(buffer: response.message) == "late")
        }
    }

    @Test func gracefulShutdownLetsOpenCallsFinish() async throws {
        let fixture = Fixture(name: "a")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.server.serve() }
            let client = HTTP2ClientTransport(target: .hostPort("127.0.0.1", try await fixture.port()))
            let call = Task {
                try await RPCClient(transport: client).unary(
                    request: ClientRequest(message: ByteBuffer(string: "done")), descriptor: Self.slow,
                    serializer: RawBytesCoder(), deserializer: RawBytesCoder())
            }
            while fixture.slowStarted.current == 0 { try await Task.sleep(for: .milliseconds(5)) }
            fixture.server.beginGracefulShutdown()
            let response = try await call.value
            #expect(String(buffer: response.message) == "done")
            try await group.next()  // serve() returns once the connection drained
            await client.close()
        }
    }
}
