import Dispatch

/// One pooled session and the serial queue that is the only place its libpq calls run.
///
/// Why a queue per connection rather than libpq's asynchronous API watched from an event loop: a connection runs
/// one statement at a time anyway, so a dedicated serial queue costs one parked thread per connection (8 by
/// default) and keeps libpq's simple, well-trodden blocking calls — reconnects, `PQprepare`, COPY-free result
/// handling — while guaranteeing no blocking call ever lands on a NIO event loop or Swift's cooperative pool.
final class PostgresConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Touched only on `queue`.
    private var libpq: LibPQConnection?
    private let conninfo: String

    init(conninfo: String, id: Int) {
        self.conninfo = conninfo
        self.queue = DispatchQueue(label: "fileflow.postgres.\(id)")
    }

    /// Reopens the session when it broke or the server closed it while idle; called when the pool hands the
    /// connection out, never in the middle of a transaction (a silent reconnect there would lose its work).
    func ensureConnected() async throws {
        try await onQueue {
            if self.libpq == nil || self.libpq?.isHealthy == false || self.libpq?.detectClosedWhileIdle() == true {
                self.libpq = nil
                self.libpq = try LibPQConnection(conninfo: self.conninfo)
            }
        }
    }

    /// Runs `body` on the connection's queue; fails with `connectionFailed` when there is no live session.
    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        try await onQueue {
            guard let libpq = self.libpq else { throw PostgresError(.connectionFailed, "not connected") }
            return try body(libpq)
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
