import Foundation
import FlowJSON
import Testing
import Tracing

@testable import Telemetry

/// How the reporter's collector connection is reused, replaced and framed.
@Suite struct ReporterConnectionTests {
    func reporter(_ collector: ScriptedCollector, batchSize: Int = 1) throws -> (ZipkinReporter, ZipkinTracer) {
        var configuration = ZipkinReporter.Configuration(endpoint: "http://127.0.0.1:\(collector.port)/api/v2/spans")
        configuration.batchSize = batchSize
        configuration.maxAttempts = 1
        let reporter = try ZipkinReporter(configuration: configuration)
        return (reporter, ZipkinTracer(serviceName: "gateway", reporter: reporter))
    }

    func spans(_ count: Int, _ tracer: ZipkinTracer) {
        for index in 0..<count {
            tracer.startSpan("request \(index)", context: .topLevel, ofKind: .server, at: DefaultTracerClock.now,
                function: #function, file: #fileID, line: #line).end()
        }
    }

    @Test func batchesShareOneKeptAliveConnection() throws {
        let collector = try ScriptedCollector(closeAfterEach: false)
        defer { collector.stop() }
        let (reporter, tracer) = try reporter(collector)
        spans(20, tracer)
        #expect(reporter.shutdown(timeout: 10))
        #expect(reporter.statistics.posted == 20)
        #expect(collector.requests == 20)
        #expect(collector.spans == 20)
        #expect(collector.connections == 1)
    }

    /// A collector that drops connections after each answer (an idle timeout) costs a reconnect, never a batch.
    @Test func droppedConnectionIsReplacedWithoutLosingTheBatch() throws {
        let collector = try ScriptedCollector(closeAfterEach: true)
        defer { collector.stop() }
        let (reporter, tracer) = try reporter(collector)
        spans(10, tracer)
        #expect(reporter.shutdown(timeout: 10))
        #expect(reporter.statistics.posted == 10)
        #expect(reporter.statistics.postFailures == 0)
        #expect(collector.spans == 10)
        #expect(collector.connections == 10)
    }

    @Test func garbageAnswerCountsAsFailureAndTheReporterGoesOn() throws {
        let collector = try ScriptedCollector(response: "nonsense\r\n\r\n", closeAfterEach: false)
        defer { collector.stop() }
        let (reporter, tracer) = try reporter(collector, batchSize: 5)
        spans(10, tracer)
        #expect(reporter.shutdown(timeout: 10))
        #expect(reporter.statistics.posted == 0)
        #expect(reporter.statistics.postFailures == 10)
        #expect(collector.spans == 10)
    }

    /// One encoded JSON object.
    func object(_ fields: (inout JSONText) -> Void) -> [UInt8] {
        var object = JSONText()
        fields(&object)
        return object.finishedBytes()
    }

    @Test func staticKeysWriteTheSameMemberNamesAsStrings() {
        let object = object { $0.field(StaticJSONKey("traceId"), "a\"b"); $0.field(StaticJSONKey("ünï"), 7) }
        #expect(object == self.object { $0.field("traceId", "a\"b"); $0.field("ünï", 7) })
        let parsed = try? JSONSerialization.jsonObject(with: Data(object)) as? [String: Any]
        #expect(parsed?["traceId"] as? String == "a\"b" && parsed?["ünï"] as? Int == 7)
    }

    @Test func batchIsOneJSONArrayAndJSONLines() {
        var batch = SpanBatch()
        for name in ["a", "b\nc"] { batch.append(object { $0.field("name", name) }) }
        #expect(batch.withJSONArray { String(decoding: $0, as: UTF8.self) } == #"[{"name":"a"},{"name":"b\nc"}]"#)
        let lines = batch.withJSONLines { String(decoding: $0, as: UTF8.self) }
        #expect(lines == "{\"name\":\"a\"}\n{\"name\":\"b\\nc\"}\n")
        batch.reset()
        batch.append(object { $0.field("n", UInt64(12_345_678_901_234_567)) })
        #expect(batch.withJSONArray { String(decoding: $0, as: UTF8.self) } == #"[{"n":12345678901234567}]"#)
    }

    func span(_ index: UInt64) -> [UInt8] { object { $0.field("i", index) } }

    @Test func queueHandsOverFullAndPartialBatchesAndReusesThem() {
        var queue = SpanQueue(batchSize: 2)
        let filled = [queue.append(span(1)), queue.append(span(2)), queue.append(span(3))]
        #expect(filled == [false, true, false])
        #expect(queue.count == 3 && queue.hasFullBatch)
        var taken = queue.takeAll()
        #expect(taken.map(\.count) == [2, 1])
        #expect(queue.count == 0 && !queue.hasFullBatch)
        queue.recycle(&taken)
        #expect(taken.isEmpty)
        _ = queue.append(span(4))
        var again = queue.takeAll()
        #expect(again[0].withJSONArray { String(decoding: $0, as: UTF8.self) } == #"[{"i":4}]"#)
    }
}
