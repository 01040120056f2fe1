import Metrics

/// The Kafka series of `/metrics`, recorded through swift-metrics (the names are catalogued in Telemetry's
/// `MetricName`; EventBus does not depend on Telemetry).
enum KafkaMetrics {
    /// A delivery report: acknowledged, or failed for good after librdkafka's own retries.
    static func delivered(_ result: Result<KafkaDeliveryReport, KafkaError>, topic: String) {
        let name = (try? result.get()) == nil ? "fileflow_kafka_produce_errors_total" : "fileflow_kafka_produced_total"
        Counter(label: name, dimensions: [("topic", topic)]).increment()
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
