import EventBus
import Logging
import PostgresStore

/// Publishes outbox rows to Kafka: in id order, keyed by file id, marked sent only after the broker acked them.
///
/// Rows are written by the same transaction as the change they announce, so a committed change always has its
/// event waiting here. If the relay dies between publishing and marking, the rows are published again by the
/// next relay: delivery is at-least-once and consumers dedupe by event id. Only one relay publishes at a time
/// (a Postgres advisory lock held by its listening session), which keeps per-key order across processes; the
/// idempotent producer keeps it within a batch (a message that fails makes the later ones of its partition fail
/// too, and all are retried, in order, next round).
public final class OutboxRelay: Sendable {
    /// The advisory lock key of the relay leader ("FFOUTBOX" as bytes).
    public static let leaderLockKey: Int64 = 0x4646_4F55_5442_4F58

    private let store: FileFlowStore
    private let producer: KafkaProducer
    private let batchSize: Int
    private let idleWaitMillis: Int32
    private let logger = Logger(label: "fileflow.outbox")

    /// librdkafka properties for a relay's own producer, over `KafkaProducer.defaults`. A relay hands each batch
    /// over whole and waits for its reports before reading the next, so lingering for more messages (2 ms by
    /// default) only delays every batch: at 1,000 events/s it was most of the relay's share of the commit →
    /// handler latency (Tools/bench/README.md, "Events").
    public static let producerConfiguration: [String: String] = ["linger.ms": "0"]

    public init(store: FileFlowStore, producer: KafkaProducer, batchSize: Int = 500, idleWaitMillis: Int32 = 1_000) {
        self.store = store
        self.producer = producer
        self.batchSize = batchSize
        self.idleWaitMillis = idleWaitMillis
    }

    /// A relay with a producer of its own, configured by `producerConfiguration`.
    public convenience init(
        store: FileFlowStore, bootstrapServers: String, batchSize: Int = 500, idleWaitMillis: Int32 = 1_000
    ) throws {
        let producer = try KafkaProducer(bootstrapServers: bootstrapServers, configuration: Self.producerConfiguration)
        self.init(store: store, producer: producer, batchSize: batchSize, idleWaitMillis: idleWaitMillis)
    }

    /// Relays until cancelled: woken by the outbox's NOTIFY at each commit, and every `idleWaitMillis` anyway.
    /// Database or broker outages are waited out; nothing is marked sent that was not delivered.
    public func run() async {
        let listener = PostgresListener(configuration: store.database.configuration, channel: "fileflow_outbox",
                                        exclusiveLockKey: Self.leaderLockKey)
        var failures = 0
        while !Task.isCancelled {
            do {
                // The first wait connects and takes the leader lock; while another relay leads it fails at once and
                // is retried after the pause below, so a follower stays cancellable.
                _ = try await listener.wait(timeoutMillis: 0)
                while try await relayBatch() == batchSize && !Task.isCancelled {}
                failures = 0
                _ = try await listener.wait(timeoutMillis: idleWaitMillis)
            } catch {
                failures += 1
                // A follower fails here every round while the leader holds the lock: that is not worth a line.
                if !Self.isFollowing(error), failures == 1 || failures.isMultiple(of: 30) {
                    logger.warning("outbox relay failed; retrying", metadata: [
                        "error": "\(error)", "consecutive_failures": "\(failures)",
                    ])
                }
                try? await Task.sleep(for: .milliseconds(min(2_000, 50 << min(failures, 5))))
            }
        }
        await listener.close()
    }

    private static func isFollowing(_ error: any Error) -> Bool {
        (error as? PostgresError)?.code == .lockNotAvailable
    }

    /// Publishes one batch of unsent rows and marks the delivered ones sent; returns how many rows it read.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let rows = try await store.unsentOutbox(limit: batchSize)
        guard !rows.isEmpty else { return 0 }
        let results = await producer.send(batch: rows.map {
            KafkaOutgoingMessage(topic: $0.topic, key: $0.key, value: $0.payload, b3: $0.b3.isEmpty ? nil : $0.b3)
        })
        var delivered: [Int64] = []
        for (row, result) in zip(rows, results) {
            if case .success = result { delivered.append(row.id) }
        }
        try await store.markSent(ids: delivered)
        if delivered.count < rows.count, case .failure(let error)? = results.first(where: { (try? $0.get()) == nil }) {
            throw error
        }
        return rows.count
    }
}
