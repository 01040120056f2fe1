internal import CRdKafka
import Foundation

/// An idempotent Kafka producer: `acks=all`, no duplicates or reordering from its own retries, and every `send`
/// returns only once the broker's delivery report says the message is stored (or fails with why not).
///
/// librdkafka batches (`linger.ms`) and retries internally; a background thread serves its delivery callbacks.
public final class KafkaProducer: @unchecked Sendable {
    /// Properties applied before the caller's, which may override them (not `enable.idempotence`/`acks`).
    public static let defaults: [String: String] = [
        "linger.ms": "2",
        "message.timeout.ms": "30000",
        "queue.buffering.max.messages": "1000000",
        "queue.buffering.max.kbytes": "1048576",
        "batch.num.messages": "10000",
    ]

    private let handle: OpaquePointer
    private let pollThread: Thread
    private let stopped = ManagedFlag()

    public init(bootstrapServers: String, configuration: [String: String] = [:]) throws {
        var properties = Self.defaults.merging(configuration) { $1 }
        properties["bootstrap.servers"] = bootstrapServers
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        let conf = try RdKafkaConfiguration.make(properties)
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportTrampoline)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.configuration, "rd_kafka_new: \(RdKafkaConfiguration.text(errorText))")
        }
        self.handle = handle
        let flag = stopped
        let pollHandle = UncheckedHandle(pointer: handle)
        pollThread = Thread {
            while !flag.isSet { rd_kafka_poll(pollHandle.pointer, 50) }
        }
        pollThread.name = "fileflow.kafka.producer"
        pollThread.start()
    }

    deinit {
        stopped.set()
        rd_kafka_flush(handle, 5_000)
        // Fail whatever is still queued so no awaiting caller hangs, then serve those reports.
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle, 0)
        while pollThread.isExecuting { usleep(1_000) }
        rd_kafka_poll(handle, 0)
        rd_kafka_destroy(handle)
    }

    /// Produces one message and waits for its delivery report.
    @discardableResult
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(message) { continuation.resume(with: $0) }
        }
    }

    /// Produces many messages at once (so librdkafka batches them) and waits for every report, in order.
    public func send(batch messages: [KafkaOutgoingMessage]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        let results = ResultCollector(count: messages.count)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            results.onComplete = { done.resume() }
            if messages.isEmpty { done.resume(); return }
            for (index, message) in messages.enumerated() {
                enqueue(message) { results.record(index, $0) }
            }
        }
        return results.values.map { $0! }
    }

    /// Waits up to `timeoutMillis` for every queued message to be delivered; `false` when some were not.
    public func flush(timeoutMillis: Int32 = 10_000) -> Bool {
        rd_kafka_flush(handle, timeoutMillis) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Hands the message to librdkafka; `completion` runs on the poll thread with the delivery report.
    /// A full local queue is waited out rather than failed, since the poll thread is draining it.
    private func enqueue(_ message: KafkaOutgoingMessage, completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        let topic = message.topic
        let completion: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void = { result in
            KafkaMetrics.delivered(result, topic: topic)
            completion(result)
        }
        let box = Unmanaged.passRetained(DeliveryBox(completion)).toOpaque()
        var attempt = 0
        while true {
            let error = produce(message, opaque: box)
            if error == RD_KAFKA_RESP_ERR__QUEUE_FULL && attempt < 10_000 {
                attempt += 1
                usleep(1_000)
                continue
            }
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                Unmanaged<DeliveryBox>.fromOpaque(box).release()
                completion(.failure(KafkaError(.produceRefused, RdKafkaConfiguration.errorText(error),
                                               kafkaErrorCode: error.rawValue)))
            }
            return
        }
    }

    private func produce(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                (message.key ?? []).withUnsafeBytes { key in
                    var values: [rd_kafka_vu_t] = []
                    var topicValue = rd_kafka_vu_t()
                    topicValue.vtype = RD_KAFKA_VTYPE_TOPIC
                    topicValue.u.cstr = topic
                    values.append(topicValue)
                    var valueValue = rd_kafka_vu_t()
                    valueValue.vtype = RD_KAFKA_VTYPE_VALUE
                    valueValue.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    valueValue.u.mem.size = value.count
                    values.append(valueValue)
                    if message.key != nil {
                        var keyValue = rd_kafka_vu_t()
                        keyValue.vtype = RD_KAFKA_VTYPE_KEY
                        keyValue.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        keyValue.u.mem.size = key.count
                        values.append(keyValue)
                    }
                    var flags = rd_kafka_vu_t()
                    flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    flags.u.i = RD_KAFKA_MSG_F_COPY
                    values.append(flags)
                    var opaqueValue = rd_kafka_vu_t()
                    opaqueValue.vtype = RD_KAFKA_VTYPE_OPAQUE
                    opaqueValue.u.ptr = opaque
                    values.append(opaqueValue)
                    if !message.headers.isEmpty {
                        let headers = rd_kafka_headers_new(message.headers.count)
                        for header in message.headers {
                            _ = header.value.withUnsafeBytes { bytes in
                                rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                            }
                        }
                        var headersValue = rd_kafka_vu_t()
                        headersValue.vtype = RD_KAFKA_VTYPE_HEADERS
                        headersValue.u.headers = headers
                        values.append(headersValue)
                        let error = produceva(values)
                        if error != RD_KAFKA_RESP_ERR_NO_ERROR { rd_kafka_headers_destroy(headers) }
                        return error
                    }
                    return produceva(values)
                }
            }
        }
    }

    private func produceva(_ values: [rd_kafka_vu_t]) -> rd_kafka_resp_err_t {
        guard let error = rd_kafka_produceva(handle, values, values.count) else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        return code
    }
}

/// The completion for one message, carried through librdkafka as the message's opaque pointer.
private final class DeliveryBox {
    let completion: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    init(_ completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) { self.completion = completion }
}

/// librdkafka's delivery-report callback: recovers the box (balancing `passRetained`) and completes it.
private func deliveryReportTrampoline(
    _ handle: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let boxPointer = message.pointee._private else { return }
    let box = Unmanaged<DeliveryBox>.fromOpaque(boxPointer).takeRetainedValue()
    let error = message.pointee.err
    if error == RD_KAFKA_RESP_ERR_NO_ERROR {
        let topic = String(cString: rd_kafka_topic_name(message.pointee.rkt))
        box.completion(.success(KafkaDeliveryReport(topic: topic, partition: message.pointee.partition,
                                                    offset: message.pointee.offset)))
    } else {
        box.completion(.failure(KafkaError(.deliveryFailed, RdKafkaConfiguration.errorText(error),
                                           kafkaErrorCode: error.rawValue)))
    }
}

/// A pointer the poll thread may capture; librdkafka handles are thread-safe.
struct UncheckedHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A set-once flag shared with a background thread.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Collects batch results from the poll thread and signals when the last one arrives.
private final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<KafkaDeliveryReport, KafkaError>?]
    private var remaining: Int
    var onComplete: (() -> Void)?

    init(count: Int) {
        values = Array(repeating: nil, count: count)
        remaining = count
    }

    func record(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let done: Bool = lock.withLock {
            values[index] = result
            remaining -= 1
            return remaining == 0
        }
        if done { onComplete?() }
    }
}
