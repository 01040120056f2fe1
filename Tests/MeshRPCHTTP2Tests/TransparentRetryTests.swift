import MeshRPC
import NIOCore
import NIOPosix
import Testing

@testable import MeshRPCHTTP2

/// gRPC's transparent retry against a scripted server on a real socket: a call the server provably never
/// processed moves once to a new stream, unseen by the caller; a call the server started, or one refused twice,
/// fails; the deadline bounds it all.
@Suite struct TransparentRetryTests {
    static let echo = MethodDescriptor(service: "test.Flow", method: "Echo")
    let coder = RawBytesCoder()

    func withClient(
        _ server: ScriptedHTTP2Server, _ body: (RPCClient, HTTP2ClientTransport) async throws -> Void
    ) async throws {
        let transport = HTTP2ClientTransport(target: .hostPort("127.0.0.1", server.port))
        defer { Task { await transport.close(); await server.close() } }
        try await body(RPCClient(transport: transport), transport)
    }

    func unary(_ client: RPCClient, _ text: String, timeout: Duration = .seconds(10)) async throws -> String {
        let response = try await client.unary(
            request: ClientRequest(message: ByteBuffer(string: text)), descriptor: Self.echo,
            serializer: coder, deserializer: coder, options: CallOptions(timeout: timeout))
        return String(buffer: response.message)
    }

    /// The code a call that should fail ends with.
    func failure(_ call: () async throws -> String) async -> RPCError.Code? {
        do {
            let answer = try await call()
            Issue.record("the call succeeded with \(answer)")
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    @Test func aRefusedStreamIsRetriedOnce() async throws {
        let server = try await ScriptedHTTP2Server { $0 == 0 ? .refuse : .echo }
        try await withClient(server) { client, transport in
            let answer = try await unary(client, "hello")
            #expect(answer == "hello")
            #expect(transport.transparentRetries == 1)
        }
        #expect(server.requests.withLockedValue { $0 } == 2)
    }

    @Test func aStreamAboveTheGoawaysLastStreamIsRetriedOnANewConnection() async throws {
        let server = try await ScriptedHTTP2Server { $0 == 0 ? .goAwayBelow : .echo }
        try await withClient(server) { client, transport in
            let answer = try await unary(client, "again")
            #expect(answer == "again")
            #expect(transport.transparentRetries == 1)
        }
        #expect(server.connections.withLockedValue { $0 } == 2)
    }

    @Test func theRetryGoesToAnotherReadyConnection() async throws {
        let refuser = try await ScriptedHTTP2Server { _ in .refuse }
        let server = try await ScriptedHTTP2Server { _ in .echo }
        defer { Task { await refuser.close() } }
        let target = RPCTarget.addresses([
            RPCTarget.HostPort(host: "127.0.0.1", port: refuser.port), RPCTarget.HostPort(host: "127.0.0.1", port: server.port),
        ])
        let transport = HTTP2ClientTransport(target: target)
        defer { Task { await transport.close(); await server.close() } }
        let client = RPCClient(transport: transport)
        // Round-robin puts some of these on the refuser first; each then succeeds on the other server.
        for call in 0..<4 {
            let answer = try await unary(client, "call \(call)")
            #expect(answer == "call \(call)")
        }
        let refused = refuser.requests.withLockedValue { $0 }
        #expect(refused >= 1)
        #expect(transport.transparentRetries == refused)
        #expect(server.requests.withLockedValue { $0 } == 4)
    }

    @Test func thePoolAvoidsTheConnectionThatRefused() async throws {
        let first = try await ScriptedHTTP2Server { _ in .echo }
        let second = try await ScriptedHTTP2Server { _ in .echo }
        let target = RPCTarget.addresses([
            RPCTarget.HostPort(host: "127.0.0.1", port: first.port), RPCTarget.HostPort(host: "127.0.0.1", port: second.port),
        ])
        let pool = ConnectionPool(target: target, configuration: HTTP2ClientConfiguration(),
                                  group: MultiThreadedEventLoopGroup.singleton)
        let refused = try await pool.connection(waitForReady: false, deadline: nil)
        // Plain round-robin would hand `refused` out again every other time.
        for _ in 0..<3 {
            let picked = try await pool.connection(waitForReady: false, deadline: nil, avoiding: refused)
            #expect(picked.channel !== refused.channel)
        }
        await pool.close()
        await first.close()
        await second.close()
    }

    @Test func aClientStreamIsReplayedInFull() async throws {
        let server = try await ScriptedHTTP2Server { $0 == 0 ? .refuse : .echo }
        try await withClient(server) { client, transport in
            let response = try await client.clientStreaming(
                request: StreamingClientRequest { writer in
                    for part in ["one ", "two ", "three"] { try await writer.write(ByteBuffer(string: part)) }
                },
                descriptor: Self.echo, serializer: coder, deserializer: coder, options: CallOptions(timeout: .seconds(10)))
            #expect(String(buffer: response.message) == "one two three")
            #expect(transport.transparentRetries == 1)
        }
        #expect(server.echoed.withLockedValue { $0 } == ["one two three"])
    }

    @Test func aCallTheServerStartedIsNotRetried() async throws {
        let server = try await ScriptedHTTP2Server { $0 == 0 ? .startThenRefuse : .echo }
        try await withClient(server) { client, transport in
            let code = await failure { try await unary(client, "started") }
            #expect(code == .unavailable)
            #expect(transport.transparentRetries == 0)
        }
        #expect(server.requests.withLockedValue { $0 } == 1)
    }

    @Test func aCallRefusedTwiceFailsUnavailable() async throws {
        let server = try await ScriptedHTTP2Server { _ in .refuse }
        try await withClient(server) { client, transport in
            let code = await failure { try await unary(client, "refused") }
            #expect(code == .unavailable)
            #expect(transport.transparentRetries == 1)
        }
        #expect(server.requests.withLockedValue { $0 } == 2)
    }

    @Test func theDeadlineBoundsTheRetriedCall() async throws {
        let server = try await ScriptedHTTP2Server { $0 == 0 ? .refuse : .ignore }
        try await withClient(server) { client, transport in
            // Long enough that the first attempt is refused before it even under a loaded CI machine (500 ms was
            // not); the ignored retry then runs into it.
            let code = await failure { try await unary(client, "late", timeout: .seconds(3)) }
            #expect(code == .deadlineExceeded)
            #expect(transport.transparentRetries == 1)
        }
        #expect(server.requests.withLockedValue { $0 } == 2)
    }
}
