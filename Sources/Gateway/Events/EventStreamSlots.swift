internal import Synchronization

/// The `/api/v1/events` streams each user holds open in this gateway process, capped so that one client cannot
/// pin thousands of connections and subscriptions. An admitted stream holds a `Lease` until it ends, however it
/// ends (client gone, subscription failed, gateway draining).
final class EventStreamSlots: Sendable {
    let limitPerUser: Int
    private let open = Mutex<[String: Int]>([:])

    init(limitPerUser: Int) {
        self.limitPerUser = limitPerUser
    }

    /// A slot for `userID`, or nil when they already hold `limitPerUser` streams.
    func acquire(_ userID: String) -> Lease? {
        let admitted = open.withLock { counts in
            let held = counts[userID, default: 0]
            guard held < limitPerUser else { return false }
            counts[userID] = held + 1
            return true
        }
        return admitted ? Lease(slots: self, userID: userID) : nil
    }

    fileprivate func release(_ userID: String) {
        open.withLock { counts in
            let held = counts[userID, default: 0] - 1
            counts[userID] = held > 0 ? held : nil
        }
    }

    /// One admitted stream's slot, given back exactly once: by `release()`, or when the lease is dropped, for a
    /// response whose body never ran (the connection closed before it was written).
    final class Lease: Sendable {
        private let slots: EventStreamSlots
        private let userID: String
        private let released = Atomic(false)

        fileprivate init(slots: EventStreamSlots, userID: String) {
            self.slots = slots
            self.userID = userID
        }

        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { slots.release(userID) }
        }

        deinit { release() }
    }
}
