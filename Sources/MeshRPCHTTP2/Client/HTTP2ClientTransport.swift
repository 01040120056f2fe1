import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// gRPC over HTTP/2 cleartext (prior knowledge): a channel of connections to every resolved address, calls
/// multiplexed on them round-robin, reconnecting with backoff and resolving names again when connections fail.
/// A call the server provably never processed (REFUSED_STREAM, above a GOAWAY's last stream, or never put on a
/// closing connection) is retried once, transparently, preferably on another connection (`TransparentRetryCall`).
public final class HTTP2ClientTransport: ClientTransport, Sendable {
    private let pool: ConnectionPool
    private let replayLimit: Int
    private let retries = NIOLockedValueBox(0)

    public init(
        target: RPCTarget,
        configuration: HTTP2ClientConfiguration = HTTP2ClientConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        pool = ConnectionPool(target: target, configuration: configuration, group: group)
        replayLimit = configuration.transparentRetryBufferBytes
    }

    /// With a stand-in for DNS, so tests can change what the target's names resolve to.
    init(
        target: RPCTarget, configuration: HTTP2ClientConfiguration, group: any EventLoopGroup,
        resolver: @escaping ConnectionPool.Resolver
    ) {
        pool = ConnectionPool(target: target, configuration: configuration, group: group, resolver: resolver)
        replayLimit = configuration.transparentRetryBufferBytes
    }

    /// Calls moved to a new stream because the server provably never processed their first one.
    public var transparentRetries: Int { retries.withLockedValue { $0 } }

    public func withStream<T: Sendable>(
        descriptor: MethodDescriptor,
        options: CallOptions,
        deadline: ContinuousClock.Instant?,
        _ body: (RPCClientStream) async throws -> T
    ) async throws -> T {
        let connection = try await pool.connection(waitForReady: options.waitForReady, deadline: deadline)
        let first = try await Self.openStream(descriptor, options, deadline, on: connection)
        // A retry waits for a connection as waitForReady would, bounded by the deadline; a call with neither may
        // not wait at all, so it still fails fast when nothing is ready.
        let retryWaits = options.waitForReady || deadline != nil
        let pool = self.pool
        let retries = self.retries
        let call = TransparentRetryCall(
            first: first, replayLimit: replayLimit, deadline: deadline
        ) { refused in
            let connection = try await pool.connection(waitForReady: retryWaits, deadline: deadline, avoiding: refused)
            retries.withLockedValue { $0 += 1 }
            return try await Self.openStream(descriptor, options, deadline, on: connection)
        }
        let stream = call.stream
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

    private static func openStream(
        _ descriptor: MethodDescriptor, _ options: CallOptions, _ deadline: ContinuousClock.Instant?,
        on connection: ClientConnection
    ) async throws -> ClientStreamAttempt {
        let loop = connection.channel.eventLoop
        let refusal = StreamRefusal()
        let stream = try await loop.submit {
            connection.handler.value.makeStream(
                path: descriptor.path, deadline: deadline, options: options, refusal: refusal, loop: loop)
        }.get()
        return ClientStreamAttempt(connection: connection, stream: stream, refusal: refusal)
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE.
    public func close() async { await pool.close() }
}
