import MeshRPC
import NIOCore
import NIOPosix

/// gRPC over HTTP/2 cleartext (prior knowledge): a channel of connections to every resolved address, calls
/// multiplexed on them round-robin, reconnecting with backoff and resolving names again when connections fail.
public final class HTTP2ClientTransport: ClientTransport, Sendable {
    private let pool: ConnectionPool

    public init(
        target: RPCTarget,
        configuration: HTTP2ClientConfiguration = HTTP2ClientConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        pool = ConnectionPool(target: target, configuration: configuration, group: group)
    }

    /// With a stand-in for DNS, so tests can change what the target's names resolve to.
    init(
        target: RPCTarget, configuration: HTTP2ClientConfiguration, group: any EventLoopGroup,
        resolver: @escaping ConnectionPool.Resolver
    ) {
        pool = ConnectionPool(target: target, configuration: configuration, group: group, resolver: resolver)
    }

    public func withStream<T: Sendable>(
        descriptor: MethodDescriptor,
        options: CallOptions,
        deadline: ContinuousClock.Instant?,
        _ body: (RPCClientStream) async throws -> T
    ) async throws -> T {
        let connection = try await pool.connection(waitForReady: options.waitForReady, deadline: deadline)
        let loop = connection.channel.eventLoop
        let stream = try await loop.submit {
            connection.handler.value.makeStream(path: descriptor.path, deadline: deadline, options: options, loop: loop)
        }.get()
        do {
            let result = try await body(stream)
            // A call whose body returned early (not all responses read) must not leave a stream open.
            await stream.outbound.finish(throwing: CancellationError())
            return result
        } catch {
            await stream.outbound.finish(throwing: error)
            throw error
        }
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE.
    public func close() async { await pool.close() }
}
