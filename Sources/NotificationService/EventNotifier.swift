public import FlowMessages
public import PostgresStore
import ServiceKit

/// Turns file events into stored notifications, once per event however often Kafka delivers it: the
/// notifications and the event's entry in the processed-events ledger commit in one transaction (shared with the
/// events other partitions deliver meanwhile: `NotificationWriter`).
public struct EventNotifier: Sendable {
    /// The consumer group, also the ledger's consumer name.
    public static let consumerGroup = "notification"
    public static let topics = [Topic.processing, Topic.notifications, Topic.deletions]

    let store: FileFlowStore
    let writer: NotificationWriter

    public init(store: FileFlowStore) {
        self.store = store
        writer = NotificationWriter(store: store, consumer: Self.consumerGroup)
    }

    /// Handles one event. A malformed one throws, so that the consumer retries it, then dead-letters it. While
    /// Postgres is unreachable it waits instead (until the task is cancelled): the event is sound, and parking it
    /// would lose its notifications. Running it again is safe, the ledger making the write happen once.
    public func handle(_ event: Fileflow_V1_FileEvent) async throws {
        var outages = 0
        while true {
            do {
                return try await notify(event)
            } catch where PostgresError.isOutage(error) {
                outages += 1
                try await Task.sleep(for: .milliseconds(min(5_000, 100 << min(outages, 6))))
            }
        }
    }

    private func notify(_ event: Fileflow_V1_FileEvent) async throws {
        guard NotificationPlan.concerns(event) else { return }
        var event = event
        event.fileID = try requireID(event.fileID, "file_id")
        if case .shared(var shared)? = event.kind {
            shared.userID = try requireID(shared.userID, "shared.user_id")
            event.shared = shared
        }
        let notifications = NotificationPlan.notifications(for: event, file: try await facts(about: event))
        guard !notifications.isEmpty else { return }
        _ = try await writer.write(EventNotifications(eventID: event.eventID, notifications: notifications))
    }

    /// The file as stored now, with its shares when the event's recipients depend on them.
    private func facts(about event: Fileflow_V1_FileEvent) async throws -> FileFacts? {
        guard let file = try await store.file(id: event.fileID) else { return nil }
        let needsShares = switch event.kind {
        case .shared?, .deleted?: true
        default: false
        }
        return FileFacts(file, shares: needsShares ? try await store.shares(fileID: file.fileID) : [])
    }
}
