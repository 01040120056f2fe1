import EventBus
import Foundation
import OutboxRelay
import PostgresStore

/// The real outbox path on a fresh topic: rows committed with `PostgresSession.enqueue` (what the services call
/// inside their transactions), published by `OutboxRelay`, handled by a `KafkaConsumer` group member.
///
/// Each row's payload carries its sequence number; `log` gets the instant its COMMIT returned (from the writer)
/// and the instant its handler ran, both on one monotonic clock in this process (a commit instant cannot be inside
/// the row it commits).
final class OutboxPipeline: Sendable {
    static let warmUpKey = "warm-up"

    let settings: Settings
    let database: PostgresDatabase
    let store: FileFlowStore
    let topic: String
    let log: EventLog
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let consuming: Task<Void, Error>

    /// What `OutboxRelay(store:bootstrapServers:)` gives its producer, with the run's overrides.
    static func relayProducerConfiguration(_ settings: Settings) -> [String: String] {
        OutboxRelay.producerConfiguration.merging(settings.relayProducerOverrides) { $1 }
    }

    /// Migrates, creates the topic (through the relay's producer) and waits until the consumer handles a message.
    init(settings: Settings, topic: String, events: Int) async throws {
        guard let url = settings.postgresURL else { throw BenchFailure("FILEFLOW_POSTGRES_URL is not set") }
        self.settings = settings
        self.topic = topic
        database = PostgresDatabase(configuration: PostgresConfiguration(url: url, maxConnections: 16))
        try await MigrationRunner(database: database).migrate()
        store = FileFlowStore(database: database)
        let log = EventLog(count: events)
        self.log = log
        producer = try KafkaProducer(bootstrapServers: settings.bootstrap,
                                     configuration: Self.relayProducerConfiguration(settings))
        try await producer.send(KafkaOutgoingMessage(topic: topic, key: Self.warmUpKey, value: Array("direct".utf8)))
        let consumer = try KafkaConsumer(bootstrapServers: settings.bootstrap, groupID: "events-bench-\(topic)",
                                         topics: [topic], configuration: settings.consumerOverrides)
        self.consumer = consumer
        consuming = Task {
            try await consumer.run { message in
                if message.keyString == Self.warmUpKey {
                    log.warmedUp(String(decoding: message.value, as: UTF8.self))
                } else if message.value.count >= 8 {
                    log.handled(message.value.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) })
                }
            }
        }
        guard await waitUntil(seconds: 60, { log.hasWarmUp("direct") }) else {
            consuming.cancel()
            throw BenchFailure("the consumer got no message within 60 s")
        }
    }

    /// Starts the relay and waits until a row comes through it; cancel the task to stop it.
    func startRelay() async throws -> Task<Void, Never> {
        let relay = OutboxRelay(store: store, producer: producer, idleWaitMillis: settings.relayIdleWaitMillis)
        let relaying = Task { await relay.run() }
        try await store.enqueue([OutboxMessage(eventID: newUUID(), topic: topic, key: Self.warmUpKey,
                                               payload: Array("relayed".utf8))])
        guard await waitUntil(seconds: 30, { self.log.hasWarmUp("relayed") }) else {
            relaying.cancel()
            throw BenchFailure("no outbox row came through within 30 s: does another relay hold the leader lock of this database?")
        }
        return relaying
    }

    /// Commits outbox row `sequence` in a transaction of its own and notes when the COMMIT returned.
    func commit(_ sequence: Int) async throws {
        var payload = [UInt8](repeating: 0x2E, count: max(8, settings.valueBytes))
        withUnsafeBytes(of: UInt64(sequence).littleEndian) { payload.replaceSubrange(0..<8, with: $0) }
        let message = OutboxMessage(eventID: newUUID(), topic: topic, key: "key-\(sequence % settings.keys)",
                                    payload: payload)
        let began = ContinuousClock.now
        try await database.transaction { session in try await session.enqueue([message]) }
        log.committed(sequence, began: began)
    }

    func stop() async {
        consuming.cancel()
        _ = try? await consuming.value
        consumer.close()
    }

    func describe() -> String {
        let consumer = settings.consumerOverrides.isEmpty ? "" : " + " + Self.describe(settings.consumerOverrides)
        return """
               relay: OutboxRelay(batchSize 500, idleWaitMillis \(settings.relayIdleWaitMillis)), producer \
            KafkaProducer.defaults + \(Self.describe(Self.relayProducerConfiguration(settings))); \
            consumer: KafkaConsumer defaults\(consumer)
            """
    }

    private static func describe(_ properties: [String: String]) -> String {
        properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// When each event committed and when its handler ran; written by the writer tasks and the consumer's handler.
final class EventLog: @unchecked Sendable {
    struct Summary {
        var latencies: [Double]
        var transactions: [Double]
        var redelivered: Int
        var firstCommit: ContinuousClock.Instant?
        var lastHandled: ContinuousClock.Instant?
    }

    private let lock = NSLock()
    private var began: [ContinuousClock.Instant?]
    private var committedAt: [ContinuousClock.Instant?]
    private var handledAt: [ContinuousClock.Instant?]
    private var handled = 0
    private var redelivered = 0
    private var warmUps: Set<String> = []

    init(count: Int) {
        began = Array(repeating: nil, count: count)
        committedAt = Array(repeating: nil, count: count)
        handledAt = Array(repeating: nil, count: count)
    }

    func committed(_ sequence: Int, began instant: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        lock.withLock {
            began[sequence] = instant
            committedAt[sequence] = now
        }
    }

    /// At-least-once: a redelivered event keeps its first handling time.
    func handled(_ sequence: Int) {
        let now = ContinuousClock.now
        lock.withLock {
            guard handledAt.indices.contains(sequence) else { return }
            if handledAt[sequence] == nil {
                handledAt[sequence] = now
                handled += 1
            } else {
                redelivered += 1
            }
        }
    }

    func warmedUp(_ tag: String) { lock.withLock { _ = warmUps.insert(tag) } }
    func hasWarmUp(_ tag: String) -> Bool { lock.withLock { warmUps.contains(tag) } }
    var handledCount: Int { lock.withLock { handled } }

    /// `sequence,committed_ms,latency_ms` per handled event (commit instants from `origin`), for plotting.
    func csv(from origin: ContinuousClock.Instant) -> String {
        lock.withLock {
            var lines = ["sequence,committed_ms,latency_ms"]
            for index in handledAt.indices {
                guard let committed = committedAt[index], let handled = handledAt[index] else { continue }
                lines.append(String(format: "%d,%.3f,%.3f", index, (committed - origin).milliseconds,
                                    (handled - committed).milliseconds))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    func summary() -> Summary {
        lock.withLock {
            var summary = Summary(latencies: [], transactions: [], redelivered: redelivered)
            for index in handledAt.indices {
                summary.lastHandled = max(summary.lastHandled ?? handledAt[index] ?? .now, handledAt[index] ?? .now)
                guard let committed = committedAt[index], let began = began[index] else { continue }
                summary.firstCommit = min(summary.firstCommit ?? committed, committed)
                summary.transactions.append((committed - began).milliseconds)
                if let handled = handledAt[index] { summary.latencies.append((handled - committed).milliseconds) }
            }
            return summary
        }
    }
}
