import MeshRPC
import NIOConcurrencyHelpers
import ServiceKit

/// The Subscribe streams of this process by user, and the fan-out of what the one notification listener hears
/// to them (`listen`). Each replica has its own; Postgres `NOTIFY` reaches them all.
public final class LiveFeed: Sendable {
    private let state = NIOLockedValueBox(State())

    private struct State {
        var byUser: [String: [ObjectIdentifier: Subscription]] = [:]
        var closed = false
        /// Whether the listener is connected and LISTENing, and why not when it is not.
        var listening = false
        var listenerProblem = "not connected yet"
    }

    public init() {}

    /// Registers a stream for `userID`; UNAVAILABLE once the process is shutting down.
    func subscribe(userID: String) throws -> Subscription {
        let subscription = Subscription(userID: userID)
        try state.withLockedValue { state in
            guard !state.closed else { throw RPCError(code: .unavailable, message: "the notification service is stopping") }
            state.byUser[userID, default: [:]][ObjectIdentifier(subscription)] = subscription
        }
        return subscription
    }

    func unsubscribe(_ subscription: Subscription) {
        state.withLockedValue { state in
            state.byUser[subscription.userID]?[ObjectIdentifier(subscription)] = nil
            if state.byUser[subscription.userID]?.isEmpty == true { state.byUser[subscription.userID] = nil }
        }
    }

    /// How many streams are open (for tests and metrics).
    var subscriberCount: Int { state.withLockedValue { $0.byUser.values.reduce(0) { $0 + $1.count } } }

    func deliver(_ signal: FeedSignal) {
        let subscriptions = state.withLockedValue { Array(($0.byUser[signal.userID] ?? [:]).values) }
        for subscription in subscriptions {
            switch signal {
            case .stored: subscription.storedArrived()
            case .transient(let notification): subscription.transientArrived(notification)
            }
        }
    }

    /// Every stream re-reads what is stored: after the listener (re)connected, `NOTIFY`s may have been missed.
    func wakeAll() {
        state.withLockedValue { $0.byUser.values.flatMap(\.values) }.forEach { $0.storedArrived() }
    }

    /// Ends every stream (they finish with OK) and refuses new ones: the first step of a graceful shutdown.
    public func close() {
        let subscriptions = state.withLockedValue { state in
            state.closed = true
            return state.byUser.values.flatMap(\.values)
        }
        subscriptions.forEach { $0.close() }
    }

    /// Records the listener's state; returns whether it was listening before.
    @discardableResult
    func setListening(_ listening: Bool, problem: String = "") -> Bool {
        state.withLockedValue { state in
            defer {
                state.listening = listening
                state.listenerProblem = problem
            }
            return state.listening
        }
    }

    /// For `/readyz`: live notifications flow only while the listener is connected.
    public var readiness: Readiness.Check {
        ("notification listener", { [self] in
            let (listening, problem) = state.withLockedValue { ($0.listening, $0.listenerProblem) }
            guard listening else { throw RPCError(code: .unavailable, message: problem) }
        })
    }
}
