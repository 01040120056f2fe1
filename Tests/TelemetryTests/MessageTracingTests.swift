import Testing
import Tracing

@testable import Telemetry

/// Kafka trace propagation: the producer's span travels in the record's `b3` header, the consumer's span is
/// its child, so a consumer continues the trace of the request that wrote the event.
@Suite struct MessageTracingTests {
    @Test func consumerSpanIsAChildOfTheProducerSpan() async throws {
        let producerSide = try RecordingTracer(service: "metadata")
        let consumerSide = try RecordingTracer(service: "search")
        let request = producerSide.tracer.startSpan("fileflow.v1.MetadataService/CommitFile", context: .topLevel,
                                                    ofKind: .server)
        let header = try #require(MessageTracing.producerHeader(
            topic: "file-uploads", key: "file-1", tracer: producerSide.tracer, context: request.context))
        request.end()

        let seen = try await MessageTracing.consume(
            topic: "file-uploads", group: "search-indexer", partition: 2, offset: 41, b3: header,
            tracer: consumerSide.tracer
        ) { ServiceContext.current?.b3 }

        let produced = try producerSide.spans()
        let root = try #require(produced.named("fileflow.v1.MetadataService/CommitFile").first)
        let producer = try #require(produced.named("publish file-uploads").first)
        #expect(producer.kind == "PRODUCER" && producer.parentID == root.id && producer.traceID == root.traceID)
        #expect(producer.tags["messaging.destination.name"] == "file-uploads")
        #expect(header.hasPrefix("\(root.traceID!)-\(producer.id!)-1"))

        let consumer = try #require(try consumerSide.spans().first)
        #expect(consumer["name"] as? String == "process file-uploads")
        #expect(consumer.kind == "CONSUMER")
        #expect(consumer.parentID == producer.id && consumer.traceID == root.traceID)
        #expect(consumer.tags["messaging.consumer.group.name"] == "search-indexer")
        #expect(consumer.tags["messaging.kafka.offset"] == "41")
        // The handler ran inside the consumer span, so its RPCs and log lines join the trace.
        #expect(seen?.spanID.description == consumer.id)
    }

    @Test func noActiveTraceMeansNoHeader() throws {
        let tracer = try RecordingTracer(service: "metadata")
        #expect(MessageTracing.producerHeader(topic: "t", key: "k", tracer: tracer.tracer, context: nil) == nil)
        #expect(MessageTracing.producerHeader(topic: "t", key: "k", tracer: tracer.tracer, context: .topLevel) == nil)
        #expect(try tracer.spans().isEmpty)
    }

    @Test(arguments: [nil, "", "not-b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-zz"])
    func missingOrMalformedHeaderStartsANewTrace(header: String?) async throws {
        let tracer = try RecordingTracer(service: "search")
        try await MessageTracing.consume(topic: "t", group: "g", partition: 0, offset: 0, b3: header,
                                         tracer: tracer.tracer) {}
        let span = try #require(try tracer.spans().first)
        #expect(span.parentID == nil && span.traceID?.count == 32)
    }

    @Test func failingHandlerIsRethrownAndItsSpanKeptThoughNotSampled() async throws {
        let producer = ZipkinTracer(serviceName: "metadata", sampleRate: 0, reporter: nil)
        let request = producer.startSpan("CommitFile", context: .topLevel, ofKind: .server)
        let header = try #require(MessageTracing.producerHeader(
            topic: "file-uploads", key: "f", tracer: producer, context: request.context))
        #expect(header.split(separator: "-")[2] == "0")  // the deny decision travels with the event

        let consumer = try RecordingTracer(service: "search")
        await #expect(throws: TelemetryError.self) {
            try await MessageTracing.consume(topic: "file-uploads", group: "g", partition: 0, offset: 9, b3: header,
                                             tracer: consumer.tracer) {
                throw TelemetryError(code: .invalidEndpoint, message: "index unavailable")
            }
        }
        try await MessageTracing.consume(topic: "file-uploads", group: "g", partition: 0, offset: 10, b3: header,
                                         tracer: consumer.tracer) {}
        let spans = try consumer.spans()
        #expect(spans.count == 1)  // the failure, not the success
        #expect(spans.first?.tags["error"] == "index unavailable")
        #expect(spans.first?.parentID == String(header.split(separator: "-")[1]))
    }
}
