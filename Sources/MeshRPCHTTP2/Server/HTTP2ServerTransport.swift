import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Serves gRPC over HTTP/2 cleartext (prior knowledge) on a TCP port, one nghttp2 session per
/// connection. Plug it into `RPCServer`.
public final class HTTP2ServerTransport: ServerTransport, Sendable {
    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var allClosed: CheckedContinuation<Void, Never>?
    }

    public let host: String
    public let port: Int
    public let configuration: HTTP2ServerConfiguration
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let boundAddress: EventLoopPromise<SocketAddress>

    public init(
        host: String = "127.0.0.1",
        port: Int,
        configuration: HTTP2ServerConfiguration = HTTP2ServerConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
        self.boundAddress = group.any().makePromise()
    }

    /// The address actually bound (useful with port 0); waits until `listen` has bound.
    public var listeningAddress: SocketAddress {
        get async throws { try await boundAddress.futureResult.get() }
    }

    public func listen(_ handler: @escaping RPCStreamHandler) async throws {
        let configuration = self.configuration
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { [weak self] channel in
                    self?.register(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ServerConnectionHandler(configuration: configuration, streamHandler: handler))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            boundAddress.fail(error)
            throw error
        }
        state.withLockedValue { $0.serverChannel = channel }
        boundAddress.succeed(channel.localAddress!)
        try await channel.closeFuture.get()
        // Stopped listening: wait for the draining connections.
        await withCheckedContinuation { continuation in
            let done = state.withLockedValue { state in
                if state.connections.isEmpty { return true }
                state.allClosed = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let refused = state.withLockedValue { state in
            if state.shuttingDown { return true }
            state.connections[id] = channel
            return false
        }
        if refused {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            let waiter = self.state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                state.connections[id] = nil
                guard state.connections.isEmpty else { return nil }
                defer { state.allClosed = nil }
                return state.allClosed
            }
            waiter?.resume()
        }
    }

    /// Stops accepting connections, sends GOAWAY on each and lets open streams finish.
    public func beginGracefulShutdown() {
        let (server, connections) = state.withLockedValue { state in
            state.shuttingDown = true
            return (state.serverChannel, Array(state.connections.values))
        }
        server?.close(promise: nil)
        for channel in connections {
            channel.eventLoop.execute {
                guard let handler = try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self)
                else { return }
                handler.beginGracefulShutdown()
            }
        }
    }
}
