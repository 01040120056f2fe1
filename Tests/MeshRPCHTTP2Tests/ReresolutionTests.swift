import MeshRPC
@testable import MeshRPCHTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A name whose addresses change (a replica replaced behind a DNS name): the client resolves again once its
/// connection goes away and reaches the new address, without being recreated.
@Suite struct ReresolutionTests {
    typealias Fixture = HTTP2TransportTests.Fixture

    @Test func aReplacedReplicaIsFoundByResolvingAgain() async throws {
        let old = Fixture(name: "old")
        let new = Fixture(name: "new")
        let oldServing = Task { try await old.server.serve() }
        let newServing = Task { try await new.server.serve() }
        defer { new.server.beginGracefulShutdown() }
        let oldAddress = try await old.transport.listeningAddress
        let newAddress = try await new.transport.listeningAddress
        let answer = NIOLockedValueBox([oldAddress])
        let lookups = NIOLockedValueBox(0)
        var configuration = HTTP2ClientConfiguration()
        configuration.reresolveInterval = .milliseconds(50)
        configuration.initialBackoff = .milliseconds(20)
        let client = HTTP2ClientTransport(
            target: .hostPort("replicas.test", 7000), configuration: configuration,
            group: MultiThreadedEventLoopGroup.singleton
        ) { host, port in
            #expect(host == "replicas.test" && port == 7000)
            lookups.withLockedValue { $0 += 1 }
            return answer.withLockedValue { $0 }
        }
        defer { Task { await client.close() } }
        let rpc = RPCClient(transport: client)
        let coder = RawBytesCoder()
        func who() async throws -> String {
            let response = try await rpc.unary(
                request: ClientRequest(message: ByteBuffer()), descriptor: HTTP2TransportTests.who, serializer: coder,
                deserializer: coder, options: CallOptions(timeout: .seconds(10), waitForReady: true))
            return String(buffer: response.message)
        }
        #expect(try await who() == "old")
        #expect(try await who() == "old")
        #expect(lookups.withLockedValue { $0 } == 1)  // a healthy connection is not a reason to resolve

        answer.withLockedValue { $0 = [newAddress] }
        old.server.beginGracefulShutdown()
        _ = try? await oldServing.value
        #expect(try await who() == "new")
        #expect(lookups.withLockedValue { $0 } >= 2)
        newServing.cancel()
    }
}
