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
    /// Set by `checkOnNextRun` (by the connection's one holder, before it submits work to `queue`), read and
    /// cleared on `queue`.
    private var checkPending = false
    /// A transaction's BEGIN, sent in the same hop to the queue as its first statement (`beginWithNextRun`).
    private var pendingBegin: String?
    /// `txid_current()` of the holder's transaction, once its BEGIN was sent; read by the holder after a `run`.
    private(set) var transactionID: Int64 = -1
    private let conninfo: String

    init(conninfo: String, id: Int) {
        self.conninfo = conninfo
        self.queue = DispatchQueue(label: "fileflow.postgres.\(id)")
    }

    /// Has the next `run` first reopen the session if it broke or the server closed it while idle. Called when
    /// the pool hands the connection out, never in the middle of a transaction (a silent reconnect there would
    /// lose its work). The check rides on the holder's first statement: a hop of its own to the queue (a thread
    /// woken each way) cost as much as a statement, for every read and transaction.
    func checkOnNextRun() {
        checkPending = true
    }

    /// Opens a transaction with `begin` (which must end in `SELECT txid_current()`) just before the next `run`'s
    /// statement, in the same hop; `end` closes it.
    func beginWithNextRun(_ begin: String) {
        pendingBegin = begin
        transactionID = -1
    }

    /// Runs `body` on the connection's queue; fails with `connectionFailed` when there is no live session.
    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        try await onQueue { libpq in
            if let begin = self.pendingBegin {
                self.pendingBegin = nil
                self.transactionID = try libpq.simpleQuery(begin).first?.int(0) ?? -1
            }
            return try body(libpq)
        }
    }

    /// Ends the transaction `beginWithNextRun` opened: COMMIT (throwing if the server rolled it back instead) or
    /// ROLLBACK. When no statement ran, no BEGIN was sent either, and there is nothing to end.
    func end(commit: Bool) async throws {
        try await onQueue { libpq in
            guard self.pendingBegin == nil else {
                self.pendingBegin = nil
                return
            }
            if commit { try libpq.commit() } else { _ = try libpq.simpleQuery("ROLLBACK") }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    if self.checkPending {
                        self.checkPending = false
                        try self.reopenIfBroken()
                    }
                    guard let libpq = self.libpq else { throw PostgresError(.connectionFailed, "not connected") }
                    return try body(libpq)
                })
            }
        }
    }

    private func reopenIfBroken() throws {
        if libpq == nil || libpq?.isHealthy == false || libpq?.detectClosedWhileIdle() == true {
            libpq = nil
            libpq = try LibPQConnection(conninfo: conninfo)
        }
    }
}
