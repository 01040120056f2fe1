/// The async front of Postgres: pooled sessions, retried reads and transactions.
///
/// Everything above this type is safe Swift; the libpq session behind it runs on a dedicated queue.
public final class PostgresDatabase: Sendable {
    /// Transaction isolation levels FileFlow uses.
    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    public let configuration: PostgresConfiguration
    private let pool: ConnectionPool

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.pool = ConnectionPool(configuration: configuration)
    }

    /// Runs `body` in autocommit mode. Use it for reads only: it is re-run from the start when the connection
    /// breaks (e.g. the server restarts), which is safe only when `body` changes nothing.
    public func read<T: Sendable>(_ body: @Sendable (PostgresSession) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(configuration.reconnectPatienceMillis)
        var attempt = 0
        while true {
            let connection = await pool.acquire()
            do {
                connection.checkOnNextRun()
                let value = try await body(PostgresSession(connection: connection))
                await pool.release(connection)
                return value
            } catch let error as PostgresError where error.code == .connectionFailed && ContinuousClock.now < deadline {
                await pool.release(connection)
                attempt += 1
                try await backoff(attempt)
            } catch {
                await pool.release(connection)
                throw error
            }
        }
    }

    /// A single read statement; see `read`.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await read { try await $0.query(sql, parameters) }
    }

    /// Runs `body` in one transaction and commits it; returns `body`'s value only once COMMIT succeeded.
    ///
    /// `body` may run more than once: after a serialization failure or deadlock (up to `maxConflictRetries`), or
    /// when the connection broke before COMMIT (the server rolled the work back). Keep side effects outside the
    /// database (cache invalidation, publishing) after this call returns. When the connection breaks during
    /// COMMIT itself, the outcome is learned with `txid_status` on a fresh session rather than guessed.
    @discardableResult
    public func transaction<T: Sendable>(
        isolation: Isolation = .readCommitted,
        _ body: @Sendable (PostgresSession) async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(configuration.reconnectPatienceMillis)
        var conflicts = 0
        var attempt = 0
        while true {
            let connection = await pool.acquire()
            do {
                connection.checkOnNextRun()
                let value = try await attemptTransaction(on: connection, isolation: isolation, deadline: deadline, body)
                await pool.release(connection)
                if let value { return value }
                attempt += 1
                try await backoff(attempt)
            } catch let error as PostgresError where error.isRetryableConflict && conflicts < configuration.maxConflictRetries {
                await pool.release(connection)
                conflicts += 1
                try await backoff(conflicts)
            } catch let error as PostgresError where error.code == .connectionFailed && ContinuousClock.now < deadline {
                await pool.release(connection)
                attempt += 1
                try await backoff(attempt)
            } catch {
                await pool.release(connection)
                throw error
            }
        }
    }

    /// One try; `nil` means "the server says it did not commit, run it again".
    private func attemptTransaction<T: Sendable>(
        on connection: PostgresConnection,
        isolation: Isolation,
        deadline: ContinuousClock.Instant,
        _ body: @Sendable (PostgresSession) async throws -> T
    ) async throws -> T? {
        connection.beginWithNextRun("BEGIN ISOLATION LEVEL \(isolation.rawValue); SELECT txid_current()")
        let value: T
        do {
            value = try await body(PostgresSession(connection: connection))
        } catch {
            try? await connection.end(commit: false)
            throw error
        }
        do {
            try await connection.end(commit: true)
            return value
        } catch let error as PostgresError where error.code == .connectionFailed {
            return try await committed(xid: connection.transactionID, deadline: deadline) ? value : nil
        }
    }

    /// Asks a fresh session whether transaction `xid` committed, retrying until the server is back or `deadline`.
    private func committed(xid: Int64, deadline: ContinuousClock.Instant) async throws -> Bool {
        var attempt = 0
        while true {
            do {
                let status = try await query("SELECT txid_status($1)", [.int(xid)]).first?.optionalString(0)
                switch status {
                case "committed": return true
                case "aborted": return false
                default:
                    throw PostgresError(.commitOutcomeUnknown, "transaction \(xid) is '\(status ?? "unknown")' after a lost COMMIT")
                }
            } catch let error as PostgresError where error.code == .connectionFailed && ContinuousClock.now < deadline {
                attempt += 1
                try await backoff(attempt)
            } catch let error as PostgresError where error.code == .connectionFailed {
                throw PostgresError(.commitOutcomeUnknown, "COMMIT of transaction \(xid) lost and server unreachable: \(error.message)")
            }
        }
    }

    /// Exponential backoff from 20 ms to 1 s, so a restarting server is not hammered.
    private func backoff(_ attempt: Int) async throws {
        let millis = min(1_000, 20 << min(attempt, 6))
        try await Task.sleep(for: .milliseconds(millis))
    }
}

/// The statements of one `read` or `transaction`; valid only inside its closure.
public struct PostgresSession: Sendable {
    let connection: PostgresConnection

    /// Runs `sql` (with `$1...` placeholders) as a prepared statement with `parameters` bound.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await connection.run { try $0.query(sql, parameters) }
    }
}

extension PostgresSession {
    /// Runs a fixed multi-statement script written in this module (migrations); never user data.
    func execute(script: String) async throws {
        _ = try await connection.run { try $0.simpleQuery(script) }
    }
}
