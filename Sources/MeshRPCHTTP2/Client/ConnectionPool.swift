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

/// Subchannels (`connectionsPerAddress` per resolved address), round-robin picking, lazy reconnect with
/// exponential backoff. The target's names are resolved again (at most every `reresolveInterval`) when a
/// connection attempt fails or a connection goes away, as gRPC's DNS resolver does, so replicas added behind a
/// name are found and removed ones dropped.
final class ConnectionPool: Sendable {
    private struct Subchannel {
        var id: Int
        var address: SocketAddress
        var connection: ClientConnection?
        var connecting: EventLoopFuture<ClientConnection>?
        var backoff: Duration
        var retryAt: ContinuousClock.Instant
    }

    private struct State {
        var subchannels: [Subchannel] = []
        var resolvedAt: ContinuousClock.Instant?
        /// Set when something suggests the addresses changed; the next call resolves again.
        var stale = false
        var nextID = 0
        var next = 0
        var lastError: (any Error)?
        var closed = false
    }

    typealias Resolver = @Sendable (_ host: String, _ port: Int) async throws -> [SocketAddress]

    private let target: RPCTarget
    private let configuration: HTTP2ClientConfiguration
    private let group: any EventLoopGroup
    private let resolve: Resolver
    private let state = NIOLockedValueBox(State())

    init(
        target: RPCTarget, configuration: HTTP2ClientConfiguration, group: any EventLoopGroup,
        resolver: @escaping Resolver = { try await AddressResolver.resolve(host: $0, port: $1) }
    ) {
        self.target = target
        self.configuration = configuration
        self.group = group
        self.resolve = resolver
    }

    /// A ready connection, round-robin; one other than `avoided` when there is one (a transparent retry goes
    /// elsewhere if it can), else that one again.
    func connection(
        waitForReady: Bool, deadline: ContinuousClock.Instant?, avoiding avoided: ClientConnection? = nil
    ) async throws -> ClientConnection {
        while true {
            if state.withLockedValue({ $0.closed }) {
                throw RPCError(code: .unavailable, message: "The client is closed.")
            }
            if let ready = pickReady(avoiding: avoided) { return ready }
            try await resolveIfNeeded()
            let attempts = startConnecting()
            for attempt in attempts { _ = try? await attempt.get() }
            if let ready = pickReady(avoiding: avoided) { return ready }
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

    private func pickReady(avoiding avoided: ClientConnection?) -> ClientConnection? {
        pickReady { $0.channel !== avoided?.channel } ?? pickReady { _ in true }
    }

    private func pickReady(where acceptable: (ClientConnection) -> Bool) -> ClientConnection? {
        state.withLockedValue { state in
            let count = state.subchannels.count
            for offset in 0..<count {
                let index = (state.next + offset) % count
                if let connection = state.subchannels[index].connection, connection.usable.withLockedValue({ $0 }),
                   acceptable(connection) {
                    state.next = (index + 1) % count
                    return connection
                }
            }
            return nil
        }
    }

    /// Resolves the target the first time, and again once it is stale and `reresolveInterval` has passed. A
    /// failed re-resolution keeps the addresses there are.
    private func resolveIfNeeded() async throws {
        let interval = configuration.reresolveInterval
        let due = state.withLockedValue { state in
            guard let resolvedAt = state.resolvedAt else { return true }
            return state.stale && ContinuousClock.now - resolvedAt >= interval
        }
        guard due else { return }
        let targets: [RPCTarget.HostPort]
        switch target {
        case .hostPort(let host, let port): targets = [RPCTarget.HostPort(host: host, port: port)]
        case .addresses(let list): targets = list
        }
        var addresses: [SocketAddress] = []
        for target in targets {
            do {
                addresses += try await resolve(target.host, target.port)
            } catch {
                state.withLockedValue { $0.lastError = error }
            }
        }
        let retired = state.withLockedValue { state -> [ClientConnection] in
            state.resolvedAt = .now
            state.stale = false
            guard !addresses.isEmpty else { return [] }
            return replaceSubchannels(&state, with: addresses)
        }
        for connection in retired { connection.channel.close(promise: nil) }
        guard state.withLockedValue({ !$0.subchannels.isEmpty }) else {
            throw RPCError(code: .unavailable, message: "Could not resolve \(target).",
                           cause: state.withLockedValue { $0.lastError })
        }
    }

    /// Keeps the subchannels (and connections) of addresses still resolved, adds ones for new addresses, and
    /// returns the connections of addresses that are gone, to close.
    private func replaceSubchannels(_ state: inout State, with addresses: [SocketAddress]) -> [ClientConnection] {
        let perAddress = max(1, configuration.connectionsPerAddress)
        var unused = state.subchannels
        var subchannels: [Subchannel] = []
        for address in addresses {
            for _ in 0..<perAddress {
                if let kept = unused.firstIndex(where: { $0.address == address }) {
                    subchannels.append(unused.remove(at: kept))
                } else {
                    subchannels.append(Subchannel(
                        id: state.nextID, address: address, connection: nil, connecting: nil,
                        backoff: configuration.initialBackoff, retryAt: .now))
                    state.nextID += 1
                }
            }
        }
        state.subchannels = subchannels
        state.next = 0
        return unused.compactMap(\.connection)
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
                if state.subchannels[index].connection != nil { state.stale = true }  // it went away
                let attempt = connect(id: state.subchannels[index].id, address: state.subchannels[index].address)
                state.subchannels[index].connecting = attempt
                attempts.append(attempt)
            }
            return attempts
        }
    }

    private func connect(id: Int, address: SocketAddress) -> EventLoopFuture<ClientConnection> {
        let settings = configuration.session
        let keepalive = configuration.keepalive
        let usable = NIOLockedValueBox(true)
        let authority = Self.authority(for: target)
        let timeout = TimeAmount(configuration.connectTimeout)
        let future = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // GOAWAY (draining) and close both retire the connection; the next call reconnects.
                    let handler = ClientConnectionHandler(
                        settings: settings, authority: authority, keepalive: keepalive
                    ) { _ in
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
        future.whenComplete { [weak self] result in self?.connectFinished(id: id, result: result) }
        return future
    }

    private func connectFinished(id: Int, result: Result<ClientConnection, any Error>) {
        let configuration = self.configuration
        state.withLockedValue { state in
            guard let index = state.subchannels.firstIndex(where: { $0.id == id }) else {
                // Its address was resolved away meanwhile.
                if case .success(let connection) = result { connection.channel.close(promise: nil) }
                return
            }
            state.subchannels[index].connecting = nil
            switch result {
            case .success(let connection):
                state.subchannels[index].connection = connection
                state.subchannels[index].backoff = configuration.initialBackoff
                if state.closed { connection.channel.close(promise: nil) }
            case .failure(let error):
                state.lastError = error
                state.stale = true
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
