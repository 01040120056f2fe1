import Dispatch

/// A dedicated session that `LISTEN`s on a channel, optionally holding a session-level advisory lock so that
/// only one process at a time acts on what it hears (the outbox relay's leader election: the lock goes with
/// the session when its process dies).
public final class PostgresListener: @unchecked Sendable {
    private let conninfo: String
    private let channel: String
    private let lockKey: Int64?
    private let queue = DispatchQueue(label: "fileflow.postgres.listener")
    /// Touched only on `queue`.
    private var libpq: LibPQConnection?

    public init(configuration: PostgresConfiguration, channel: String, exclusiveLockKey: Int64? = nil) {
        // No statement timeout here: waiting for the lock may take as long as another leader lives.
        var configuration = configuration
        configuration.statementTimeoutMillis = 0
        self.conninfo = configuration.conninfo
        self.channel = channel
        self.lockKey = exclusiveLockKey
    }

    /// Waits up to `timeoutMillis` for a notification, (re)connecting, locking and `LISTEN`ing first when needed.
    /// Returns `true` when one arrived. Connection trouble throws `connectionFailed`, a lock held by another session
    /// `lockNotAvailable`; call again to reconnect or retry.
    public func wait(timeoutMillis: Int32) async throws -> Bool {
        try await !payloads(timeoutMillis: timeoutMillis).isEmpty
    }

    /// `wait`, returning the payloads of the notifications that arrived (none after the timeout), for listeners
    /// that route by payload.
    public func payloads(timeoutMillis: Int32) async throws -> [String] {
        let channel = channel
        let lockKey = lockKey
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    do {
                        if self.libpq?.isHealthy != true {
                            let session = try LibPQConnection(conninfo: self.conninfo)
                            // Try, never block: a follower must stay cancellable; its caller retries after a pause.
                            if let lockKey,
                                try session.query("SELECT pg_try_advisory_lock($1)", [.int(lockKey)]).first?.bool(0)
                                    != true
                            {
                                throw PostgresError(.lockNotAvailable, "another session holds lock \(lockKey)")
                            }
                            _ = try session.simpleQuery("LISTEN \"\(channel.replacingQuotes)\"")
                            self.libpq = session
                        }
                        return try self.libpq!.waitForNotifications(timeoutMillis: timeoutMillis)
                    } catch {
                        self.libpq = nil
                        throw error
                    }
                })
            }
        }
    }

    /// Closes the session, releasing the lock.
    public func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.libpq = nil
                continuation.resume()
            }
        }
    }
}

extension String {
    /// Doubles `"` so a fixed identifier can be quoted; channel names are ours, never user input.
    fileprivate var replacingQuotes: String { split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") }
}
