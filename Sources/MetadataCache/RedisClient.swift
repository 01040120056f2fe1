import Dispatch
import Synchronization

/// A few Redis connections, each on its own serial queue (hiredis blocks), handed out round-robin.
/// Public for the gateway's counters (rate limits, login throttling, refresh tokens), which run Lua scripts.
public final class RedisClient: @unchecked Sendable {
    private let connections: [(HiredisConnection, DispatchQueue)]
    private let next = Mutex(0)

    /// `url` is `redis://host:port` (database 0, no auth: FileFlow's Redis listens on loopback).
    public init(url: String, connections count: Int, timeoutMillis: Int) throws {
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

extension RedisClient {
    /// Runs a Lua script (`EVAL`) whose reply is an integer or an array of integers; a Redis error, or any other
    /// reply, throws `CacheError`. Scripts run atomically, which is what counters and token buckets need.
    public func evalIntegers(_ script: String, keys: [String], arguments: [String]) async throws -> [Int64] {
        let command = [Array("EVAL".utf8), Array(script.utf8), Array(String(keys.count).utf8)]
            + keys.map { Array($0.utf8) } + arguments.map { Array($0.utf8) }
        switch try await pipeline([command])[0] {
        case .integer(let value): return [value]
        case .array(let items):
            return try items.map { item in
                guard case .integer(let value) = item else { throw CacheError(.badReply, "script returned \(item)") }
                return value
            }
        case .error(let message): throw CacheError(.badReply, "redis: \(message)")
        case let other: throw CacheError(.badReply, "script returned \(other)")
        }
    }
}

/// Lets a connection cross into its queue's closure; only that queue ever uses it.
private struct UncheckedConnection: @unchecked Sendable {
    let connection: HiredisConnection
}
