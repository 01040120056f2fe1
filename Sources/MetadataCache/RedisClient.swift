import Dispatch
import Synchronization

/// A few Redis connections, each on its own serial queue (hiredis blocks), handed out round-robin.
/// Public for the gateway's counters (rate limits, login throttling, refresh tokens), which run Lua scripts.
///
/// Calls that arrive while a connection is busy are sent together as one pipeline when it frees up, so under
/// concurrency one write and one read serve many callers (what ioredis calls auto-pipelining) instead of a
/// thread hop and a round trip each.
public final class RedisClient: @unchecked Sendable {
    private let connections: [BatchingConnection]
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
            BatchingConnection(
                HiredisConnection(host: String(parts[0]), port: port, timeoutMillis: timeoutMillis),
                queue: DispatchQueue(label: "fileflow.redis.\(index)"))
        }
    }

    /// Runs `commands` as one pipeline (possibly inside a larger one); each command is its arguments as bytes.
    func pipeline(_ commands: [[[UInt8]]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let index = next.withLock { value in
            value = (value + 1) % connections.count
            return value
        }
        return try await connections[index].send(commands)
    }
}

/// One connection and the calls waiting for it; only its queue touches the hiredis connection.
private final class BatchingConnection: @unchecked Sendable {
    typealias Call = (commands: [[[UInt8]]], continuation: CheckedContinuation<[RedisReply], any Error>)

    private let connection: HiredisConnection
    private let queue: DispatchQueue
    /// Calls not yet sent, and whether a drain is scheduled or running on `queue`.
    private let state = Mutex<(waiting: [Call], draining: Bool)>(([], false))

    init(_ connection: HiredisConnection, queue: DispatchQueue) {
        self.connection = connection
        self.queue = queue
    }

    func send(_ commands: [[[UInt8]]]) async throws -> [RedisReply] {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = state.withLock { state in
                state.waiting.append((commands, continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if startDrain { queue.async { self.drain() } }
        }
    }

    /// Sends everything waiting as one pipeline and hands each caller its replies, until nothing waits.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Call] in
                let batch = state.waiting
                state.waiting.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let replies = try connection.pipeline(batch.flatMap(\.commands))
                var start = 0
                for call in batch {
                    call.continuation.resume(returning: Array(replies[start..<start + call.commands.count]))
                    start += call.commands.count
                }
            } catch {
                for call in batch { call.continuation.resume(throwing: error) }
            }
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
