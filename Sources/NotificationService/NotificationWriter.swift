public import PostgresStore

/// Stores events' notifications by group commit: what handlers submit while a transaction is under way goes into
/// the next one.
///
/// The consumer handles its partitions side by side, and their events mostly concern the same few users. Written
/// one event per transaction, each waited on the user's sequence row, which stays locked until commit, so the
/// partitions took turns one fsync at a time (about 10 ms of waiting per notification under load). A group shares
/// one transaction, one fsync and one lock per user. A group that fails, other than by an outage, is written again
/// event by event, so a bad event fails alone and the others are stored.
public actor NotificationWriter {
    private struct Request {
        var event: EventNotifications
        var continuation: CheckedContinuation<[NotificationRecord]?, any Error>
    }

    private let store: FileFlowStore
    private let consumer: String
    private var pending: [Request] = []
    private var writing = false

    /// `consumer` names the ledger the events are recorded in.
    public init(store: FileFlowStore, consumer: String) {
        self.store = store
        self.consumer = consumer
    }

    /// Stores `event`'s notifications once the group it joins commits; nil when the ledger already had the event.
    public func write(_ event: EventNotifications) async throws -> [NotificationRecord]? {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(event: event, continuation: continuation))
            guard !writing else { return }
            writing = true
            Task { await self.drain() }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let group = pending
            pending.removeAll()
            await commit(group)
        }
        writing = false
    }

    private func commit(_ group: [Request]) async {
        do {
            let results = try await store.addNotifications(group.map(\.event), consumer: consumer)
            for (request, result) in zip(group, results) { request.continuation.resume(returning: result) }
        } catch {
            // An outage fails every event alike (the handlers wait and retry); written one by one, each would wait
            // out the reconnection patience in turn.
            guard group.count > 1, !PostgresError.isOutage(error) else {
                return group.forEach { $0.continuation.resume(throwing: error) }
            }
            for request in group {
                do {
                    let result = try await store.addNotifications([request.event], consumer: consumer)
                    request.continuation.resume(returning: result[0])
                } catch {
                    request.continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension PostgresError {
    /// Postgres unreachable or the outcome unknown, rather than anything wrong with what was written: handlers wait
    /// and retry, since parking a sound event would lose its notifications.
    static func isOutage(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        return [.connectionFailed, .timeout, .commitOutcomeUnknown, .serializationFailure].contains(error.code)
    }
}
