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
        try await send(batch: [message])[0].get()
    }

    /// Produces many messages at once (so librdkafka batches them) and waits for every report, in order.
    public func send(batch messages: [KafkaOutgoingMessage]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        let pending = PendingDeliveries(count: messages.count)
        await pending.wait {
            messages.withUnsafeBufferPointer { messages in
                for index in messages.indices { enqueue(messages[index], index, pending) }
            }
        }
        KafkaMetrics.delivered(messages, failed: pending.failed)
        return messages.indices.map { pending.result($0, topic: messages[$0].topic) }
    }

    /// Waits up to `timeoutMillis` for every queued message to be delivered; `false` when some were not.
    public func flush(timeoutMillis: Int32 = 10_000) -> Bool {
        rd_kafka_flush(handle, timeoutMillis) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Hands message `index` to librdkafka, its report going to `pending`'s slot; a refusal is recorded there at once.
    /// A full local queue is waited out rather than failed, since the poll thread is draining it.
    private func enqueue(_ message: borrowing KafkaOutgoingMessage, _ index: Int, _ pending: PendingDeliveries) {
        var attempt = 0
        while true {
            let error = produce(message, opaque: pending.opaque(index))
            if error == RD_KAFKA_RESP_ERR__QUEUE_FULL && attempt < 10_000 {
                attempt += 1
                usleep(1_000)
                continue
            }
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { pending.refuse(index, error) }
            return
        }
    }

    /// The key's bytes, if any, then the call.
    private func produce(_ message: borrowing KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        message.key?.withUnsafeBytes { produce(message, key: $0, opaque: opaque) }
            ?? produce(message, key: nil, opaque: opaque)
    }

    /// One `rd_kafka_produceva` call, its arguments on the stack (the message is copied by librdkafka).
    private func produce(
        _ message: borrowing KafkaOutgoingMessage, key: UnsafeRawBufferPointer?, opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t {
        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { values in
            message.topic.withCString { topic in
                message.value.withUnsafeBytes { value in
                    var count = 0
                    func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                        var entry = rd_kafka_vu_t()
                        entry.vtype = type
                        set(&entry)
                        values[count] = entry
                        count += 1
                    }
                    append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                        $0.u.mem.size = value.count
                    }
                    if let key {
                        append(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                            $0.u.mem.size = key.count
                        }
                    }
                    append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    guard !message.headers.isEmpty else {
                        return produceva(UnsafeBufferPointer(rebasing: values[..<count]))
                    }
                    // librdkafka owns the headers once the message is accepted; until then they are ours to free.
                    let headers = rd_kafka_headers_new(message.headers.count)
                    for header in message.headers {
                        _ = header.value.withUnsafeBytes { bytes in
                            rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                        }
                    }
                    append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
                    let error = produceva(UnsafeBufferPointer(rebasing: values[..<count]))
                    if error != RD_KAFKA_RESP_ERR_NO_ERROR { rd_kafka_headers_destroy(headers) }
                    return error
                }
            }
        }
    }

    private func produceva(_ values: UnsafeBufferPointer<rd_kafka_vu_t>) -> rd_kafka_resp_err_t {
        guard let error = rd_kafka_produceva(handle, values.baseAddress, values.count) else {
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        return code
    }
}

/// librdkafka's delivery-report callback (on the poll thread): the outcome goes into the message's slot.
private func deliveryReportTrampoline(
    _ handle: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let slot = message.pointee._private else { return }
    PendingDeliveries.deliver(slot, partition: message.pointee.partition, offset: message.pointee.offset,
                              error: message.pointee.err)
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
