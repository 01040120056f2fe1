import Metrics

/// The Kafka series of `/metrics`, recorded through swift-metrics (the names are catalogued in Telemetry's
/// `MetricName`; EventBus does not depend on Telemetry).
enum KafkaMetrics {
    /// The reports of one send: acknowledged, or failed for good after librdkafka's own retries. Counted once per
    /// run of messages to one topic rather than per message, so that a large batch does not cost a counter each.
    static func delivered(_ messages: [KafkaOutgoingMessage], failed: (Int) -> Bool) {
        messages.withUnsafeBufferPointer { messages in
            var start = 0
            while start < messages.count {
                var end = start
                var failures = 0
                while end < messages.count && messages[end].topic == messages[start].topic {
                    if failed(end) { failures += 1 }
                    end += 1
                }
                count(topic: messages[start].topic, produced: end - start - failures, failed: failures)
                start = end
            }
        }
    }

    private static func count(topic: String, produced: Int, failed: Int) {
        if produced > 0 {
            Counter(label: "fileflow_kafka_produced_total", dimensions: [("topic", topic)]).increment(by: produced)
        }
        if failed > 0 {
            Counter(label: "fileflow_kafka_produce_errors_total", dimensions: [("topic", topic)]).increment(by: failed)
        }
    }

    static func consumed(topic: String, group: String) {
        Counter(label: "fileflow_kafka_consumed_total", dimensions: [("topic", topic), ("group", group)]).increment()
    }

    /// One failed attempt; the message is retried or, after the last attempt, dead-lettered.
    static func consumeFailed(topic: String, group: String) {
        Counter(label: "fileflow_kafka_consume_errors_total", dimensions: [("topic", topic), ("group", group)])
            .increment()
    }

    static func deadLettered(topic: String, group: String) {
        Counter(label: "fileflow_kafka_dead_lettered_total", dimensions: [("topic", topic), ("group", group)])
            .increment()
    }

    /// Messages of the partition after the one just committed, as of the last fetch. Updated at each commit,
    /// so an idle partition keeps its last value (0 once caught up).
    static func lag(_ lag: Int64, topic: String, group: String, partition: Int32) {
        Gauge(label: "fileflow_kafka_consumer_lag",
              dimensions: [("topic", topic), ("group", group), ("partition", String(partition))])
            .record(max(0, lag))
    }
}
