import Dispatch
import Synchronization

/// A few Redis connections, each on its own serial queue (hiredis blocks), handed out round-robin.
final class RedisClient: @unchecked Sendable {
    private let connections: [(HiredisConnection, DispatchQueue)]
    private let next = Mutex(0)

    /// `url` is `redis://host:port` (database 0, no auth: FileFlow's Redis listens on loopback).
    init(url: String, connections count: Int, timeoutMillis: Int) throws {
        guard url.hasPrefix("redis://") else { throw CacheError(.configuration, "expected redis://host:port, got \(url)") }
        let authority = url.dropFirst("redis://".count).prefix { $0 != "/" }
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int32(parts[1]) else {
            throw CacheError(.configuration, "expected redis://host:port, got \(url)")
        }
        connections = (0..<max(1, count)).map { index in
            (HiredisConnection(host: String(parts[0]), port: port, timeoutMillis: timeoutMillis),
             DispatchQueue(label: "fileflow.redis.\(index)"))
        }
    }

    /// Runs `commands` as one pipeline; each command is its arguments as bytes.
    func pipeline(_ commands: [[[UInt8]]]) async throws -> [RedisReply] {
        let index = next.withLock { value in
            value = (value + 1) % connections.count
            return value
        }
        let (connection, queue) = connections[index]
        let box = UncheckedConnection(connection: connection)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try box.connection.pipeline(commands) }) }
        }
    }
}

/// Lets a connection cross into its queue's closure; only that queue ever uses it.
private struct UncheckedConnection: @unchecked Sendable {
    let connection: HiredisConnection
}
