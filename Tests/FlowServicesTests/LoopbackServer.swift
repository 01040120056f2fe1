import FlowServices
import MeshRPC
import MeshRPCHTTP2
import Testing

/// Serves `RecordingTestService` over the real HTTP/2 transport on a free loopback port and hands `body` typed
/// clients connected to it; the server drains and the client closes when `body` returns or throws.
func withLoopbackTestService<T: Sendable>(
    _ body: (Grpc_Testing_TestServiceClient, RPCClient) async throws -> T
) async throws -> T {
    var router = RPCRouter()
    RecordingTestService().register(in: &router)
    let transport = HTTP2ServerTransport(host: "127.0.0.1", port: 0)
    let server = RPCServer(transport: transport, router: router)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        defer { server.beginGracefulShutdown() }
        let port = try #require(try await transport.listeningAddress.port)
        let clientTransport = HTTP2ClientTransport(target: .hostPort("127.0.0.1", port))
        let client = RPCClient(transport: clientTransport)
        do {
            let result = try await body(Grpc_Testing_TestServiceClient(client), client)
            await clientTransport.close()
            return result
        } catch {
            await clientTransport.close()
            throw error
        }
    }
}
