import MeshRPC
import Synchronization

/// Bounds the bytes a stream's writer may have queued but not yet sent, so a writer facing a slow
/// reader (no flow-control window) suspends instead of filling memory. Shared between the writing
/// task (`reserve`) and the event loop (`release` as DATA frames leave, `close` at stream end).
final class WriteCredit: Sendable {
    private struct State {
        var queued = 0
        var waiter: CheckedContinuation<Void, any Error>?
        var closedError: RPCError?
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Accounts for `count` bytes about to be queued when there is room now; false when the writer has to wait
    /// (`reserve`). Throws when the stream is gone.
    func tryReserve(_ count: Int) throws(RPCError) -> Bool {
        let reserved: Result<Bool, RPCError> = state.withLock { state in
            if let error = state.closedError { return .failure(error) }
            guard state.queued < limit else { return .success(false) }
            state.queued += count
            return .success(true)
        }
        return try reserved.get()
    }

    /// Accounts for `count` bytes about to be queued, first waiting while the queue is over the limit.
    nonisolated(nonsending) func reserve(_ count: Int) async throws {
        // Fast path, the common case: room left, no continuation or cancellation record needed.
        if try tryReserve(count) { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result: Result<Void, any Error>? = state.withLock { state in
                    if let error = state.closedError { return .failure(error) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.queued < limit {
                        state.queued += count
                        return .success(())
                    }
                    state.queued += count
                    state.waiter = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release(_ count: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.queued = max(0, state.queued - count)
            guard state.queued < limit else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Fails the waiting and all later writes: the stream is gone.
    func close(_ error: RPCError) {
        let waiter = state.withLock { state in
            if state.closedError == nil { state.closedError = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }
}
