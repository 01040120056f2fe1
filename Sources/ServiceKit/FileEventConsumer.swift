public import EventBus
public import FlowMessages
import MeshRPC

/// A Kafka consumer group member that hands each record to its handler as a decoded `FileEvent`.
///
/// Offsets are committed only after the handler returns (at-least-once): handlers must be idempotent, by state
/// (re-reading what the event names) or by recording the event id in the same transaction as their writes
/// (`PostgresSession.markProcessed`). A record that does not decode is retried, then dead-lettered to
/// `<topic>.dlq` by `KafkaConsumer`, so one poison message never stops the partition.
public final class FileEventConsumer: Sendable {
    public let group: String
    private let consumer: KafkaConsumer

    public init(bootstrapServers: String, group: String, topics: [String]) throws {
        self.group = group
        consumer = try KafkaConsumer(bootstrapServers: bootstrapServers, groupID: group, topics: topics)
    }

    /// Consumes until the task is cancelled.
    public func run(_ handler: @escaping @Sendable (Fileflow_V1_FileEvent, KafkaIncomingMessage) async throws -> Void)
        async throws
    {
        try await consumer.run { message in
            let event: Fileflow_V1_FileEvent
            do {
                event = try Fileflow_V1_FileEvent(serializedBytes: message.value)
            } catch {
                throw RPCError(code: .dataLoss, message: "\(message.topic)@\(message.offset): not a FileEvent: \(error)")
            }
            guard !event.eventID.isEmpty, !event.fileID.isEmpty else {
                throw RPCError(code: .dataLoss, message: "\(message.topic)@\(message.offset): event without ids")
            }
            try await handler(event, message)
        }
    }

    /// Leaves the group, committing what was handled.
    public func close() { consumer.close() }
}
