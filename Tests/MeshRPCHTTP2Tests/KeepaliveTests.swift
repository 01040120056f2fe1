import MeshRPC
import MeshRPCHTTP2
import NIOCore
import NIOPosix
import Testing

/// A peer that accepts the connection and then never says anything again (a hung host, a path that drops
/// packets without a FIN): with keepalive the call fails UNAVAILABLE as soon as a PING goes unanswered; without,
/// only its own deadline ends it.
@Suite struct KeepaliveTests {
    /// Reads and discards everything, writes nothing.
    final class Silence: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    /// The code a call to the silent peer ends with.
    func call(keepalive: ClientKeepalive?, timeout: Duration) async throws -> RPCError.Code {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.pipeline.addHandler(Silence()) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        var configuration = HTTP2ClientConfiguration()
        configuration.keepalive = keepalive
        let client = HTTP2ClientTransport(target: .hostPort("127.0.0.1", listener.localAddress!.port!),
                                          configuration: configuration)
        defer { Task { await client.close() } }
        let coder = RawBytesCoder()
        do {
            _ = try await RPCClient(transport: client).unary(
                request: ClientRequest(message: ByteBuffer(string: "anyone?")),
                descriptor: MethodDescriptor(service: "test.Flow", method: "Who"), serializer: coder,
                deserializer: coder, options: CallOptions(timeout: timeout))
            Issue.record("a silent peer answered")
            return .ok
        } catch let error as RPCError {
            return error.code
        }
    }

    @Test func anUnansweredPingFailsTheCallsAtOnce() async throws {
        // The call's own deadline is far away: only the keepalive can end it as UNAVAILABLE.
        let code = try await call(
            keepalive: ClientKeepalive(interval: .milliseconds(100), timeout: .milliseconds(200)), timeout: .seconds(60))
        #expect(code == .unavailable)
    }

    @Test func withoutKeepaliveOnlyTheDeadlineEndsIt() async throws {
        let code = try await call(keepalive: nil, timeout: .milliseconds(600))
        #expect(code == .deadlineExceeded)
    }
}
