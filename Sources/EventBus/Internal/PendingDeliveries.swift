internal import CRdKafka
import Synchronization

/// The delivery reports one `KafkaProducer.send` call waits for: one object and one buffer of slots per call, not
/// an object and closures per message, so that a large batch costs librdkafka's work and little more.
///
/// Each message's librdkafka opaque points at its slot; the delivery callback (on the poll thread) writes plain
/// values into the slot (no reference counting) and the report that completes the set resumes the caller.
final class PendingDeliveries: @unchecked Sendable {
    /// One message's outcome. `owner` is unretained: the waiting caller holds the object until the last report.
    struct Slot {
        var owner: Unmanaged<PendingDeliveries>
        var partition: Int32 = RD_KAFKA_PARTITION_UA
        var offset: Int64 = -1
        var error = RD_KAFKA_RESP_ERR_NO_ERROR
        /// librdkafka refused the message locally (it never went to a broker).
        var refused = false
    }

    let count: Int
    private let slots: UnsafeMutablePointer<Slot>
    /// Reports still to come; the release/acquire on it publishes every slot to the caller resumed by the last.
    private let remaining: Atomic<Int>
    /// Set before the first message is handed to librdkafka, so before any report can arrive.
    private var continuation: CheckedContinuation<Void, Never>?

    init(count: Int) {
        self.count = count
        remaining = Atomic(count)
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: Slot(owner: .passUnretained(self)), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The opaque pointer to give librdkafka with message `index`.
    func opaque(_ index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// Runs `produce` (which hands every message to librdkafka) and returns once every message has its report.
    func wait(_ produce: () -> Void) async {
        await withCheckedContinuation { continuation in
            self.continuation = continuation
            if count == 0 { continuation.resume() } else { produce() }
        }
    }

    /// Message `index` was refused before reaching librdkafka's queue: its report is this error.
    func refuse(_ index: Int, _ error: rd_kafka_resp_err_t) {
        slots[index].error = error
        slots[index].refused = true
        completeOne()
    }

    /// The delivery callback's half: records the outcome in the slot `opaque` points at.
    static func deliver(_ opaque: UnsafeMutableRawPointer, partition: Int32, offset: Int64, error: rd_kafka_resp_err_t) {
        let slot = opaque.assumingMemoryBound(to: Slot.self)
        slot.pointee.partition = partition
        slot.pointee.offset = offset
        slot.pointee.error = error
        // No retain needed: the caller holds the owner until its last report, and nothing here touches it after that.
        slot.pointee.owner._withUnsafeGuaranteedRef { $0.completeOne() }
    }

    private func completeOne() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { continuation?.resume() }
    }

    /// Whether message `index` failed, once `wait` returned.
    func failed(_ index: Int) -> Bool { slots[index].error != RD_KAFKA_RESP_ERR_NO_ERROR }

    /// Message `index`'s report, once `wait` returned; `topic` is the one it was sent to.
    func result(_ index: Int, topic: String) -> Result<KafkaDeliveryReport, KafkaError> {
        let slot = slots[index]
        if slot.error == RD_KAFKA_RESP_ERR_NO_ERROR {
            return .success(KafkaDeliveryReport(topic: topic, partition: slot.partition, offset: slot.offset))
        }
        return .failure(KafkaError(slot.refused ? .produceRefused : .deliveryFailed,
                                   RdKafkaConfiguration.errorText(slot.error), kafkaErrorCode: slot.error.rawValue))
    }
}
