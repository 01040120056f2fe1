import EventBus
import Foundation

/// Collects what a consumer's handler saw, across tasks.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [KafkaIncomingMessage] = []

    func append(_ message: KafkaIncomingMessage) { lock.withLock { items.append(message) } }
    var messages: [KafkaIncomingMessage] { lock.withLock { items } }

    /// Polls (without timing assertions) until `condition` holds or `seconds` pass; returns whether it held.
    func waitUntil(seconds: Double = 30, _ condition: ([KafkaIncomingMessage]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(messages) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(messages)
    }
}

/// Starts `consumer.run` in a task that appends to an inbox; cancel the task to stop it.
func startConsuming(_ consumer: KafkaConsumer, into inbox: Inbox,
                    handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void = { _ in })
    -> Task<Void, Error>
{
    Task {
        try await consumer.run { message in
            try await handler(message)
            inbox.append(message)
        }
    }
}

func uniqueTopic(_ base: String) -> String { "\(base)-\(UUID().uuidString.prefix(8).lowercased())" }
