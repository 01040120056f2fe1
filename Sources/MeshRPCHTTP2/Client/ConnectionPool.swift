import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One open connection as the pool hands it out.
struct ClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>
    let usable: NIOLockedValueBox<Bool>
}

/// Subchannels (`connectionsPerAddress` per address), round-robin picking, lazy reconnect with exponential backoff.
final class ConnectionPool: Sendable {
    private struct Subchannel {
        var address: SocketAddress
        var connection: ClientConnection?
        var connecting: EventLoopFuture<ClientConnection>?
        var backoff: Duration
        var retryAt: ContinuousClock.Instant
    }

    private struct State {
        var subchannels: [Subchannel] = []
        var resolved = false
        var next = 0
        var lastError: (any Error)?
        var closed = false
    }

    private let target: RPCTarget
    private let configuration: HTTP2ClientConfiguration
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    init(target: RPCTarget, configuration: HTTP2ClientConfiguration, group: any EventLoopGroup) {
        self.target = target
        self.configuration = configuration
        self.group = group
    }

    func connection(waitForReady: Bool, deadline: ContinuousClock.Instant?) async throws -> ClientConnection {
        while true {
            if state.withLockedValue({ $0.closed }) {
                throw RPCError(code: .unavailable, message: "The client is closed.")
            }
            if let ready = pickReady() { return ready }
            try await resolveIfNeeded()
            let attempts = startConnecting()
            for attempt in attempts { _ = try? await attempt.get() }
            if let ready = pickReady() { return ready }
            let (lastError, retryAt) = state.withLockedValue { state in
                (state.lastError, state.subchannels.map(\.retryAt).min() ?? .now)
            }
            guard waitForReady else {
                throw RPCError(code: .unavailable, message: "No connection to \(target) is available.", cause: lastError)
            }
            if let deadline, retryAt >= deadline {
                throw RPCError(code: .deadlineExceeded, message: "Deadline exceeded while waiting for a connection.", cause: lastError)
            }
            try await Task.sleep(until: max(retryAt, .now + .milliseconds(10)), clock: .continuous)
        }
    }

    private func pickReady() -> ClientConnection? {
        state.withLockedValue { state in
            let count = state.subchannels.count
            for offset in 0..<count {
                let index = (state.next + offset) % count
                if let connection = state.subchannels[index].connection, connection.usable.withLockedValue({ $0 }) {
                    state.next = (index + 1) % count
                    return connection
                }
            }
            return nil
        }
    }

    private func resolveIfNeeded() async throws {
        guard !state.withLockedValue({ $0.resolved }) else { return }
        let targets: [RPCTarget.HostPort]
        switch target {
        case .hostPort(let host, let port): targets = [RPCTarget.HostPort(host: host, port: port)]
        case .addresses(let list): targets = list
        }
        var addresses: [SocketAddress] = []
        for target in targets {
            do {
                addresses += try await AddressResolver.resolve(host: target.host, port: target.port)
            } catch {
                state.withLockedValue { $0.lastError = error }
            }
        }
        guard !addresses.isEmpty else {
            throw RPCError(code: .unavailable, message: "Could not resolve \(target).",
                           cause: state.withLockedValue { $0.lastError })
        }
        let initialBackoff = configuration.initialBackoff
        let perAddress = max(1, configuration.connectionsPerAddress)
        state.withLockedValue { state in
            guard !state.resolved else { return }
            state.resolved = true
            state.subchannels = addresses.flatMap { address in
                (0..<perAddress).map { _ in
                    Subchannel(address: address, connection: nil, connecting: nil, backoff: initialBackoff, retryAt: .now)
                }
            }
        }
    }

    /// Starts a connection attempt on every subchannel that has none and is past its backoff;
    /// returns all attempts in flight.
    private func startConnecting() -> [EventLoopFuture<ClientConnection>] {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            var attempts: [EventLoopFuture<ClientConnection>] = []
            for index in state.subchannels.indices {
                if let connecting = state.subchannels[index].connecting {
                    attempts.append(connecting)
                    continue
                }
                let usable = state.subchannels[index].connection?.usable.withLockedValue { $0 } ?? false
                guard !usable, state.subchannels[index].retryAt <= now else { continue }
                let attempt = connect(index: index, address: state.subchannels[index].address)
                state.subchannels[index].connecting = attempt
                attempts.append(attempt)
            }
            return attempts
        }
    }

    private func connect(index: Int, address: SocketAddress) -> EventLoopFuture<ClientConnection> {
        let settings = configuration.session
        let usable = NIOLockedValueBox(true)
        let authority = Self.authority(for: target)
        let timeout = TimeAmount(configuration.connectTimeout)
        let future = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // GOAWAY (draining) and close both retire the connection; the next call reconnects.
                    let handler = ClientConnectionHandler(settings: settings, authority: authority) { _ in
                        usable.withLockedValue { $0 = false }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: address)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                return ClientConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), usable: usable)
            }
        future.whenComplete { [weak self] result in self?.connectFinished(index: index, result: result) }
        return future
    }

    private func connectFinished(index: Int, result: Result<ClientConnection, any Error>) {
        let configuration = self.configuration
        state.withLockedValue { state in
            guard state.subchannels.indices.contains(index) else { return }
            state.subchannels[index].connecting = nil
            switch result {
            case .success(let connection):
                state.subchannels[index].connection = connection
                state.subchannels[index].backoff = configuration.initialBackoff
                if state.closed { connection.channel.close(promise: nil) }
            case .failure(let error):
                state.lastError = error
                let backoff = state.subchannels[index].backoff
                let jitter = Double.random(in: 0.8...1.2)
                state.subchannels[index].retryAt = .now + backoff * jitter
                state.subchannels[index].backoff = min(configuration.maxBackoff, backoff * configuration.backoffMultiplier)
            }
        }
    }

    private static func authority(for target: RPCTarget) -> String {
        switch target {
        case .hostPort(let host, let port): return "\(host):\(port)"
        case .addresses(let list): return list.first.map { "\($0.host):\($0.port)" } ?? "localhost"
        }
    }

    func close() async {
        let channels = state.withLockedValue { state in
            state.closed = true
            return state.subchannels.compactMap { $0.connection?.channel }
        }
        for channel in channels { try? await channel.close() }
    }
}
