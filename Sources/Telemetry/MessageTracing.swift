public import Tracing

/// Trace context across Kafka: the producer of an event records a PRODUCER span and sends its `b3` in the
/// record's header; the consumer continues that trace with a CONSUMER span, child of the producer's.
///
/// Together with the RPC interceptors this makes one upload one trace, from the gateway to the last consumer.
public enum MessageTracing {
    /// Records a PRODUCER span for a message to `topic`, child of the span active in `context`, and returns the
    /// `b3` header value for the message: nil when no trace is active (nothing to continue) or nothing is traced.
    ///
    /// The span ends at once: FileFlow writes events to the outbox in the request's transaction, and the relay
    /// that publishes them later runs outside any request.
    public static func producerHeader(
        topic: String, key: String, tracer: some Tracer, context: ServiceContext? = .current
    ) -> String? {
        guard let context, context.b3 != nil else { return nil }
        let span = tracer.startSpan("publish \(topic)", context: context, ofKind: .producer)
        // Built here and set once: each `span.attributes[key] = value` may copy the span's whole dictionary.
        var attributes: SpanAttributes = ["messaging.system": "kafka"]
        attributes["messaging.destination.name"] = topic
        attributes["messaging.kafka.message.key"] = key
        span.attributes = attributes
        var headers: [(String, String)] = []
        tracer.inject(span.context, into: &headers, using: HeaderInjector())
        span.end()
        return HeaderExtractor().extract(key: B3Propagation.singleHeader, from: headers)
    }

    /// `producerHeader` with the process's tracer (`InstrumentationSystem.tracer`).
    public static func producerHeader(topic: String, key: String) -> String? {
        producerHeader(topic: topic, key: key, tracer: InstrumentationSystem.tracer)
    }

    /// Runs `body` inside a CONSUMER span continuing the trace of `b3` (the record's header; a missing or
    /// malformed one starts a new trace). A throw marks the span failed, which keeps it whatever the sampling.
    public static func consume<T>(
        topic: String, group: String, partition: Int32, offset: Int64, b3: String?, tracer: some Tracer,
        _ body: () async throws -> T
    ) async throws -> T {
        var context = ServiceContext.topLevel
        if let b3 { tracer.extract([(B3Propagation.singleHeader, b3)], into: &context, using: HeaderExtractor()) }
        let span = tracer.startSpan("process \(topic)", context: context, ofKind: .consumer)
        var attributes: SpanAttributes = ["messaging.system": "kafka"]
        attributes["messaging.destination.name"] = topic
        attributes["messaging.consumer.group.name"] = group
        attributes["messaging.destination.partition.id"] = "\(partition)"
        attributes["messaging.kafka.offset"] = offset
        span.attributes = attributes
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body() }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
            throw error
        }
    }

    /// `consume` with the process's tracer (`InstrumentationSystem.tracer`).
    public static func consume<T>(
        topic: String, group: String, partition: Int32, offset: Int64, b3: String?, _ body: () async throws -> T
    ) async throws -> T {
        try await consume(
            topic: topic, group: group, partition: partition, offset: offset, b3: b3,
            tracer: InstrumentationSystem.tracer, body)
    }
}
