public import FlowMessages
import Foundation
public import PostgresStore
import Telemetry

/// The contract's Kafka topics (CONTRACT.md §5).
public enum Topic {
    public static let uploads = "file-uploads"
    public static let processing = "file-processing"
    public static let deletions = "file-deletions"
    public static let notifications = "notifications"
    public static let all = [uploads, processing, deletions, notifications]
}

extension OutboxMessage {
    /// A `FileEvent` as an outbox row on `topic`, keyed by file id (the contract's partitioning key).
    ///
    /// Written inside a traced request, the row carries the `b3` of a PRODUCER span, child of that request's span,
    /// so the consumers of the event continue the request's trace.
    public static func fileEvent(
        id: String = newUUID(), topic: String, fileID: String, actor: String,
        _ fill: (inout Fileflow_V1_FileEvent) -> Void
    ) -> OutboxMessage {
        var event = Fileflow_V1_FileEvent()
        event.eventID = id
        event.fileID = fileID
        event.actorID = actor
        event.occurredAt = Google_Protobuf_Timestamp(micros: Int64(Date().timeIntervalSince1970 * 1_000_000))
        fill(&event)
        let b3 = MessageTracing.producerHeader(topic: topic, key: fileID)
        return OutboxMessage(eventID: id, topic: topic, key: fileID, payload: event.serializedBytes(), b3: b3 ?? "")
    }
}
