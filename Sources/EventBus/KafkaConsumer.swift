internal import CRdKafka
import Dispatch
import Foundation
import Logging

/// How a consumer treats a handler that throws: retry with exponential backoff, then park the message in
/// `<topic>.dlq` so one poison message cannot stall its partition forever.
public struct KafkaRetryPolicy: Sendable {
    public var attempts: Int
    public var initialBackoffMillis: Int
    public var maxBackoffMillis: Int

    public init(attempts: Int = 5, initialBackoffMillis: Int = 100, maxBackoffMillis: Int = 5_000) {
        self.attempts = max(1, attempts)
        self.initialBackoffMillis = initialBackoffMillis
        self.maxBackoffMillis = maxBackoffMillis
    }
}

/// A consumer-group member with at-least-once delivery: an offset is committed only after the handler
/// succeeded (or the message went to the dead-letter topic), so a crash re-delivers, never skips.
///
/// Handlers must be idempotent (dedupe by event id). Messages of one partition are handled in order, one at a
/// time. Rebalances happen only inside `rd_kafka_consumer_poll`, i.e. between messages, and a revoke commits
/// what was handled first, so a partition moving to another member resumes right after the last handled message.
public final class KafkaConsumer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let groupID: String
    private let queue: DispatchQueue
    private let deadLetters: KafkaProducer
    private let state = RebalanceState()
    private let policy: KafkaRetryPolicy
    private let closed = ManagedFlag()

    public init(
        bootstrapServers: String, groupID: String, topics: [String], retryPolicy: KafkaRetryPolicy = KafkaRetryPolicy(),
        configuration: [String: String] = [:]
    ) throws {
        var properties: [String: String] = [
            "auto.offset.reset": "earliest",
            "session.timeout.ms": "10000",
            "heartbeat.interval.ms": "1000",
            "fetch.wait.max.ms": "10",
            // A fetch whose answer never comes (seen on the dev-broker) holds its broker's partitions until the
            // request times out; 10 s instead of librdkafka's 60 s. Group joins keep their own, longer timeouts.
            "socket.timeout.ms": "10000",
        ].merging(configuration) { $1 }
        properties["bootstrap.servers"] = bootstrapServers
        properties["group.id"] = groupID
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        state.startsAtEnd = properties["auto.offset.reset"] == "latest"
        state.group = groupID
        let conf = try RdKafkaConfiguration.make(properties)
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceTrampoline)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(state).toOpaque())
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.configuration, "rd_kafka_new: \(RdKafkaConfiguration.text(errorText))")
        }
        rd_kafka_poll_set_consumer(handle)
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let error = rd_kafka_subscribe(handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(handle)
            throw KafkaError(.consumer, "subscribe: \(RdKafkaConfiguration.errorText(error))", kafkaErrorCode: error.rawValue)
        }
        self.handle = handle
        self.groupID = groupID
        self.policy = retryPolicy
        self.queue = DispatchQueue(label: "fileflow.kafka.consumer.\(groupID)")
        self.deadLetters = try KafkaProducer(bootstrapServers: bootstrapServers)
    }

    deinit {
        close()
        rd_kafka_destroy(handle)
    }

    /// Leaves the group (committing handled offsets through the revoke); idempotent.
    public func close() {
        guard !closed.isSet else { return }
        closed.set()
        queue.sync { _ = rd_kafka_consumer_close(handle) }
    }

    /// How many times partitions were assigned to this member, and the partitions it holds now.
    public var rebalances: (count: Int, assigned: Int) { state.snapshot }

    /// Handles messages until the task is cancelled (then throws `CancellationError`, leaving the messages under
    /// way uncommitted), or until the dead-letter topic cannot be written (then it rewinds to the first message not
    /// handled, so that calling `run` again redelivers it, and throws).
    ///
    /// What one poll brings (up to `maxBatch` messages) is handled partition by partition side by side, each
    /// partition's messages in order, so a slow handler (a large file, a remote call) holds up only its own
    /// partition's followers. Rebalances happen inside polls, which run only between batches, so a revoke never
    /// finds a message half-handled.
    public func run(maxBatch: Int = 64, _ handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void)
        async throws
    {
        _ = try await consume(maxBatch: maxBatch, until: nil, handler)
    }

    /// `run` until this member has partitions and `idle` passes without a message, i.e. until it has caught up with
    /// what its partitions hold (for one-off jobs such as replaying a dead-letter topic); returns how many messages
    /// it handled. A group that does not take this member in within `joinTimeout` is an error.
    public func drain(
        idle: Duration = .seconds(2), joinTimeout: Duration = .seconds(30), maxBatch: Int = 64,
        _ handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void
    ) async throws -> Int {
        try await consume(maxBatch: maxBatch, until: (idle, joinTimeout), handler)
    }

    private func consume(
        maxBatch: Int, until stop: (idle: Duration, joinTimeout: Duration)?,
        _ handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void
    ) async throws -> Int {
        let clock = ContinuousClock()
        let started = clock.now
        var lastMessage = started
        var handled = 0
        while !Task.isCancelled && !closed.isSet {
            guard let first = try await poll(timeoutMillis: 100) else {
                guard let stop else { continue }
                if rebalances.count == 0 {
                    lastMessage = clock.now
                    if clock.now - started > stop.joinTimeout {
                        throw KafkaError(.consumer, "group \(groupID) gave this member no partitions within \(stop.joinTimeout)")
                    }
                } else if clock.now - lastMessage >= stop.idle {
                    return handled
                }
                continue
            }
            var batch = [first]
            while batch.count < maxBatch, let next = try await poll(timeoutMillis: 0) { batch.append(next) }
            try await handleByPartition(batch, handler)
            handled += batch.count
            lastMessage = clock.now
        }
        // Closed or cancelled: `run` just ends (its caller is shutting down); a drain did not finish.
        if stop != nil { throw CancellationError() }
        return handled
    }

    /// One partition of one topic.
    private struct Partition: Hashable {
        var topic: String
        var partition: Int32
    }

    /// A partition and an offset in it: where to commit or rewind to.
    private typealias Position = (topic: String, partition: Int32, offset: Int64)

    /// Where one partition's share of a batch got to.
    private struct LaneOutcome: Sendable {
        var topic: String
        var partition: Int32
        var lastHandled: Int64?
        var failure: (offset: Int64, error: any Error)?
    }

    private func handleByPartition(
        _ batch: [PolledMessage], _ handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void
    ) async throws {
        let lanes = Dictionary(grouping: batch) { Partition(topic: $0.message.topic, partition: $0.message.partition) }
        let outcomes = await withTaskGroup(of: LaneOutcome.self) { group in
            for (key, lane) in lanes {
                group.addTask {
                    var outcome = LaneOutcome(topic: key.topic, partition: key.partition)
                    for polled in lane {
                        do {
                            try await self.handle(polled, handler)
                        } catch {
                            outcome.failure = (polled.message.offset, error)
                            return outcome
                        }
                        outcome.lastHandled = polled.message.offset
                    }
                    return outcome
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        try await commit(outcomes.compactMap { lane in lane.lastHandled.map { (lane.topic, lane.partition, $0 + 1) } })
        let failed = outcomes.compactMap { lane in lane.failure.map { (lane, $0) } }
        guard let error = failed.first?.1.error else { return }
        if !(error is CancellationError) { try await rewind(failed.map { ($0.0.topic, $0.0.partition, $0.1.offset) }) }
        throw error
    }

    private func handle(_ polled: PolledMessage, _ handler: @escaping @Sendable (KafkaIncomingMessage) async throws -> Void)
        async throws
    {
        var backoff = policy.initialBackoffMillis
        for attempt in 1...policy.attempts {
            do {
                try await handler(polled.message)
                KafkaMetrics.consumed(topic: polled.message.topic, group: groupID)
                return
            } catch {
                // Stopping is not a failure of the message: leave it uncommitted for the next member.
                if Task.isCancelled { throw CancellationError() }
                KafkaMetrics.consumeFailed(topic: polled.message.topic, group: groupID)
                let message = polled.message
                let context: Logger.Metadata = [
                    "group": "\(groupID)", "origin": "\(DeadLetters.position(of: message))",
                    "error": "\(error)", "attempt": "\(attempt)",
                ]
                if attempt == policy.attempts {
                    try await deadLetter(message, error: error, attempts: attempt)
                    KafkaMetrics.deadLettered(topic: message.topic, group: groupID)
                    kafkaLogger.error("message dead-lettered to \(message.topic).dlq", metadata: context)
                    return
                }
                if attempt == 1 { kafkaLogger.warning("handler failed; retrying", metadata: context) }
                try? await Task.sleep(for: .milliseconds(backoff))
                backoff = min(policy.maxBackoffMillis, backoff * 2)
            }
        }
    }

    /// Writes the message, with its headers and why it failed, to `<topic>.dlq`; waits for the broker's ack.
    private func deadLetter(_ message: KafkaIncomingMessage, error: any Error, attempts: Int) async throws {
        try await deadLetters.send(DeadLetters.letter(for: message, error: error, attempts: attempts))
    }

    private func poll(timeoutMillis: Int32) async throws -> PolledMessage? {
        let handle = UncheckedHandle(pointer: self.handle)
        let group = groupID
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let raw = rd_kafka_consumer_poll(handle.pointer, timeoutMillis) else {
                    continuation.resume(returning: nil)
                    return
                }
                defer { rd_kafka_message_destroy(raw) }
                let error = raw.pointee.err
                switch error {
                case RD_KAFKA_RESP_ERR_NO_ERROR:
                    continuation.resume(returning: PolledMessage(message: Self.copy(raw)))
                case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                    continuation.resume(returning: nil)
                default:
                    // Transient broker trouble is reported here and retried by librdkafka; keep polling, but say so.
                    kafkaLogger.warning(
                        "consumer error: \(String(cString: rd_kafka_err2str(error)))",
                        metadata: ["group": "\(group)", "topic": "\(raw.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "")"])
                    continuation.resume(returning: nil)
                }
            }
        }
    }

    /// Commits these positions, each the offset of the next message to handle (asynchronously: commits are
    /// ordered, and a lost one only means a redelivery, which handlers tolerate); a revoke commits synchronously.
    private func commit(_ positions: [Position]) async throws {
        guard !positions.isEmpty else { return }
        let handle = UncheckedHandle(pointer: self.handle)
        let group = groupID
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queue.async {
                let list = Self.partitionList(positions)
                // Stored too, so the synchronous commit in a revoke covers it even if this async one is pending.
                _ = rd_kafka_offsets_store(handle.pointer, list)
                let error = rd_kafka_commit(handle.pointer, list, 1)
                rd_kafka_topic_partition_list_destroy(list)
                for (topic, partition, next) in positions {
                    // The high watermark librdkafka last fetched (local, no broker round trip) gives the lag.
                    var low: Int64 = 0
                    var high: Int64 = 0
                    if rd_kafka_get_watermark_offsets(handle.pointer, topic, partition, &low, &high)
                        == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
                    {
                        KafkaMetrics.lag(high - next, topic: topic, group: group, partition: partition)
                    }
                }
                if error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET {
                    continuation.resume()
                } else {
                    continuation.resume(throwing: KafkaError(.consumer, "commit: \(RdKafkaConfiguration.errorText(error))",
                                                             kafkaErrorCode: error.rawValue))
                }
            }
        }
    }

    /// Moves these partitions' fetch positions back to their first unhandled message, so the next poll
    /// redelivers it instead of what was prefetched after it.
    private func rewind(_ positions: [Position]) async throws {
        let handle = UncheckedHandle(pointer: self.handle)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queue.async {
                let list = Self.partitionList(positions)
                defer { rd_kafka_topic_partition_list_destroy(list) }
                if let error = rd_kafka_seek_partitions(handle.pointer, list, 5_000) {
                    let text = String(cString: rd_kafka_error_string(error))
                    rd_kafka_error_destroy(error)
                    continuation.resume(throwing: KafkaError(.consumer, "seek: \(text)"))
                } else {
                    continuation.resume()
                }
            }
        }
    }

    private static func partitionList(_ positions: [Position])
        -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    {
        let list = rd_kafka_topic_partition_list_new(Int32(positions.count))!
        for (topic, partition, offset) in positions {
            rd_kafka_topic_partition_list_add(list, topic, partition)?.pointee.offset = offset
        }
        return list
    }

    private static func copy(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaIncomingMessage {
        let m = raw.pointee
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(raw, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        return KafkaIncomingMessage(topic: String(cString: rd_kafka_topic_name(m.rkt)), partition: m.partition,
                                    offset: m.offset, key: key, value: value, headers: headers)
    }
}

/// A message copied out of librdkafka, ready to hand to async code.
private struct PolledMessage: Sendable {
    let message: KafkaIncomingMessage
}

/// Counts assignments; shared with the rebalance callback through the configuration's opaque pointer.
final class RebalanceState: @unchecked Sendable {
    /// `auto.offset.reset=latest`: a partition the group never committed starts at its end, pinned by a commit.
    var startsAtEnd = false
    /// For the log lines of rebalances.
    var group = ""
    private let lock = NSLock()
    private var count = 0
    private var assigned = 0
    var snapshot: (count: Int, assigned: Int) { lock.withLock { (count, assigned) } }
    func assigned(_ partitions: Int) { lock.withLock { count += 1; assigned = partitions } }
    func revoked() { lock.withLock { assigned = 0 } }
}

/// librdkafka's rebalance callback (eager protocol): take the new assignment, or commit what was handled and
/// give the partitions up. It runs inside `rd_kafka_consumer_poll` on the consumer's queue, between messages.
private func rebalanceTrampoline(
    _ handle: OpaquePointer?, _ error: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let opaque else { return }
    let state = Unmanaged<RebalanceState>.fromOpaque(opaque).takeUnretainedValue()
    switch error {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if state.startsAtEnd, let partitions { commitEndOfUncommitted(handle, partitions) }
        _ = rd_kafka_assign(handle, partitions)
        state.assigned(Int(partitions?.pointee.cnt ?? 0))
        kafkaLogger.info("partitions assigned", metadata: ["group": "\(state.group)",
                                                          "partitions": "\(partitions?.pointee.cnt ?? 0)"])
    default:
        _ = rd_kafka_commit(handle, nil, 0)
        _ = rd_kafka_assign(handle, nil)
        state.revoked()
        kafkaLogger.info("partitions revoked", metadata: ["group": "\(state.group)",
                                                         "reason": "\(RdKafkaConfiguration.errorText(error))"])
    }
}

/// For a group that starts at the end of each partition: commits the current end of every assigned partition
/// the group has no offset for yet, before consuming. Without it a member that dies before its first commit
/// would come back at the *new* end and skip what was produced meanwhile; with it, it resumes where it began.
private func commitEndOfUncommitted(_ handle: OpaquePointer, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
    guard let committed = rd_kafka_topic_partition_list_copy(partitions) else { return }
    defer { rd_kafka_topic_partition_list_destroy(committed) }
    guard rd_kafka_committed(handle, committed, 5_000) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    guard let pins = rd_kafka_topic_partition_list_new(committed.pointee.cnt) else { return }
    defer { rd_kafka_topic_partition_list_destroy(pins) }
    for index in 0..<Int(committed.pointee.cnt) {
        let partition = committed.pointee.elems[index]
        guard partition.offset < 0 else { continue }  // the group has an offset here: resume from it
        var low: Int64 = 0
        var high: Int64 = 0
        guard rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, 5_000)
            == RD_KAFKA_RESP_ERR_NO_ERROR
        else { continue }
        rd_kafka_topic_partition_list_add(pins, partition.topic, partition.partition)?.pointee.offset = high
    }
    if pins.pointee.cnt > 0 { _ = rd_kafka_commit(handle, pins, 0) }
}
