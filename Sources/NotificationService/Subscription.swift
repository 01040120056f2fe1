import FlowMessages
import NIOConcurrencyHelpers

/// One Subscribe stream's mailbox: whether stored notifications may have arrived, and the transient ones not
/// sent yet.
///
/// Its memory is bounded whatever the stream's reader does: stored notifications are one flag (the stream reads
/// them from Postgres after its last sequence), and transient ones are coalesced per file and kind (a newer
/// progress report replaces the older) and capped, dropping the oldest first.
final class Subscription: Sendable {
    /// What to send next.
    struct Delivery: Sendable, Equatable {
        /// Read the stored notifications after the stream's last sequence.
        var readStored: Bool
        var transients: [Fileflow_V1_Notification]
    }

    static let transientCapacity = 32

    let userID: String
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// True at first, so that the stream's first delivery reads what is stored already.
        var storedPending = true
        var transients: [Fileflow_V1_Notification] = []
        var closed = false
        var waiter: CheckedContinuation<Delivery?, Never>?

        mutating func take() -> Delivery? {
            guard storedPending || !transients.isEmpty else { return nil }
            defer {
                storedPending = false
                transients = []
            }
            return Delivery(readStored: storedPending, transients: transients)
        }
    }

    init(userID: String) {
        self.userID = userID
    }

    /// A stored notification of this user was committed.
    func storedArrived() {
        notify { $0.storedPending = true }
    }

    func transientArrived(_ notification: Fileflow_V1_Notification) {
        notify { state in
            if let index = state.transients.firstIndex(where: {
                $0.kind == notification.kind && $0.fileID == notification.fileID
            }) {
                state.transients.remove(at: index)
            }
            state.transients.append(notification)
            if state.transients.count > Self.transientCapacity { state.transients.removeFirst() }
        }
    }

    /// Ends the stream: `next` returns nil from now on.
    func close() {
        let waiter = state.withLockedValue { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Waits for something to send; nil once closed or when the waiting task is cancelled (the client left).
    func next() async -> Delivery? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Delivery?? = state.withLockedValue { state in
                    if state.closed { return .some(nil) }
                    if let delivery = state.take() { return .some(delivery) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    /// Changes the state and hands what is due to a waiting `next`.
    private func notify(_ change: @Sendable (inout State) -> Void) {
        let (waiter, delivery) = state.withLockedValue { state -> (CheckedContinuation<Delivery?, Never>?, Delivery?) in
            guard !state.closed else { return (nil, nil) }
            change(&state)
            guard let waiter = state.waiter, let delivery = state.take() else { return (nil, nil) }
            state.waiter = nil
            return (waiter, delivery)
        }
        if let waiter, let delivery { waiter.resume(returning: delivery) }
    }
}
