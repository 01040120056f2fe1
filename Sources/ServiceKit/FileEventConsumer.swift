public import EventBus
public import FlowMessages
import Foundation
import MeshRPC
import Telemetry

/// A Kafka consumer group member that hands each record to its handler as a decoded `FileEvent`.
///
/// Offsets are committed only after the handler returns (at-least-once): handlers must be idempotent, by state
/// (re-reading what the event names) or by recording the event id in the same transaction as their writes
/// (`PostgresSession.markProcessed`). A record that does not decode is retried, then dead-lettered to
/// `<topic>.dlq` by `KafkaConsumer`, so one poison message never stops the partition.
///
/// Each delivery is handled inside a CONSUMER span, child of the PRODUCER span whose context the record's `b3`
/// header carries, so RPCs the handler makes and the lines it logs join the trace of the request that caused
/// the event.
public final class FileEventConsumer: Sendable {
    public let group: String
    private let consumer: KafkaConsumer

    /// `group` is prefixed with `$FILEFLOW_KAFKA_GROUP_PREFIX` when set, so that several meshes can share one Kafka
    /// cluster without taking each other's events; `$FILEFLOW_KAFKA_OFFSET_RESET` (`earliest`, the default, or
    /// `latest`) is where a group with no committed offset starts.
    public init(bootstrapServers: String, group: String, topics: [String]) throws {
        let environment = ProcessInfo.processInfo.environment
        self.group = (environment["FILEFLOW_KAFKA_GROUP_PREFIX"] ?? "") + group
        var configuration: [String: String] = [:]
        if let reset = environment["FILEFLOW_KAFKA_OFFSET_RESET"] {
            guard ["earliest", "latest"].contains(reset) else {
                throw RPCError(code: .invalidArgument, message: "FILEFLOW_KAFKA_OFFSET_RESET must be earliest or latest")
            }
            configuration["auto.offset.reset"] = reset
        }
        consumer = try KafkaConsumer(
            bootstrapServers: bootstrapServers, groupID: self.group, topics: topics, configuration: configuration)
    }

    /// A readiness check: the consumer has joined its group (been given its share of partitions, possibly none).
    public var readiness: Readiness.Check {
        ("kafka consumer group \(group)", { [consumer, group] in
            guard consumer.rebalances.count > 0 else {
                throw RPCError(code: .unavailable, message: "not yet a member of group \(group)")
            }
        })
    }

    /// Consumes until the task is cancelled.
    public func run(_ handler: @escaping @Sendable (Fileflow_V1_FileEvent, KafkaIncomingMessage) async throws -> Void)
        async throws
    {
        let group = self.group
        try await consumer.run { message in
            try await MessageTracing.consume(
                topic: message.topic, group: group, partition: message.partition, offset: message.offset,
                b3: message.b3
            ) {
                let event: Fileflow_V1_FileEvent
                do {
                    event = try Fileflow_V1_FileEvent(serializedBytes: message.value)
                } catch {
                    throw RPCError(
                        code: .dataLoss, message: "\(message.topic)@\(message.offset): not a FileEvent: \(error)")
                }
                guard !event.eventID.isEmpty, !event.fileID.isEmpty else {
                    throw RPCError(code: .dataLoss, message: "\(message.topic)@\(message.offset): event without ids")
                }
                try await handler(event, message)
            }
        }
    }

    /// Leaves the group, committing what was handled.
    public func close() { consumer.close() }
}
