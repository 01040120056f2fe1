import Foundation
import Logging
import Synchronization
import Testing
import Tracing

@testable import Telemetry

@Suite struct JSONLogHandlerTests {
    /// Collects the handler's output instead of writing to stderr.
    final class Lines: Sendable {
        private let stored = Mutex<[String]>([])
        var all: [String] { stored.withLock { $0 } }
        @Sendable func append(_ line: String) { stored.withLock { $0.append(line) } }

        /// Every line decoded; fails the test unless each is exactly one JSON object ending in one newline.
        func objects() throws -> [[String: Any]] {
            try all.map { line in
                #expect(line.hasSuffix("\n"))
                #expect(line.dropLast().firstIndex(of: "\n") == nil)
                return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
        }
    }

    func logger(_ lines: Lines, level: Logger.Level = .info, label: String = "fileflow.test") -> Logger {
        Logger(label: label) { label in
            JSONLogHandler(label: label, service: "metadata", level: level, output: lines.append)
        }
    }

    @Test func writesTheContractFieldsAndMetadata() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "request"] = "r-1"
        logger.info("serving", metadata: ["rpc_port": "7101", "nested": ["a": ["1", "2"], "b": "x"]])
        let object = try #require(try lines.objects().first)
        #expect(object["level"] as? String == "info")
        #expect(object["service"] as? String == "metadata")
        #expect(object["logger"] as? String == "fileflow.test")
        #expect(object["msg"] as? String == "serving")
        #expect(object["rpc_port"] as? String == "7101")
        #expect(object["request"] as? String == "r-1")
        let nested = try #require(object["nested"] as? [String: Any])
        #expect(nested["a"] as? [String] == ["1", "2"])
        #expect(object["trace_id"] == nil && object["span_id"] == nil)
        let ts = try #require(object["ts"] as? String)
        let parsed = try #require(ISO8601DateFormatter.withMilliseconds.date(from: ts))
        #expect(abs(parsed.timeIntervalSinceNow) < 3600)
        #expect(lines.all[0].hasPrefix(#"{"ts":"#))  // fixed order: ts, level, service, logger, msg
    }

    @Test func levelBelowThresholdIsNotWritten() throws {
        let lines = Lines()
        let logger = logger(lines, level: .warning)
        logger.info("quiet")
        logger.debug("quieter")
        logger.error("loud", error: TelemetryError(code: .invalidEndpoint, message: "cause"))
        let objects = try lines.objects()
        #expect(objects.count == 1)
        #expect(objects.first?["level"] as? String == "error")
        #expect(objects.first?["error"] as? String == "cause")
    }

    @Test func activeSpanPutsItsIdsOnTheLine() throws {
        let lines = Lines()
        let logger = logger(lines)
        let tracer = ZipkinTracer(serviceName: "metadata", sampleRate: 0, reporter: nil)
        let span = tracer.startSpan("CommitFile", context: .topLevel, ofKind: .server)
        ServiceContext.$current.withValue(span.context) { logger.info("inside") }
        logger.info("outside")
        let objects = try lines.objects()
        let b3 = try #require(span.context.b3)
        // Not sampled, yet still correlated: ids are for logs as much as for Zipkin.
        #expect(objects[0]["trace_id"] as? String == b3.traceID.description)
        #expect(objects[0]["span_id"] as? String == b3.spanID.description)
        #expect(objects[1]["trace_id"] == nil)
    }

    static let hostile = [
        "line one\nline two\r\n",
        #"quote " and backslash \ and \" escaped quote"#,
        "nul \u{0} bell \u{7} escape \u{1B}[31m delete \u{7F}",
        "\"}, {\"level\":\"critical\",\"msg\":\"forged",
        "separators \u{2028} \u{2029} and emoji 🧨 and combining e\u{301}",
        String(repeating: "long ", count: 20_000),
    ]

    @Test(arguments: hostile)
    func hostileStringsStayInsideTheirField(text: String) throws {
        let lines = Lines()
        logger(lines, label: text).warning("\(text)", metadata: [text: "\(text)", "msg": "\(text)"])
        let objects = try lines.objects()
        #expect(objects.count == 1)
        let object = try #require(objects.first)
        #expect(object["msg"] as? String == text)
        #expect(object["logger"] as? String == text)
        #expect(object[text] as? String == text)
        // Metadata cannot shadow the handler's own fields.
        #expect(object["metadata.msg"] as? String == text)
        #expect(object["level"] as? String == "warning")
        #expect(object.count == 7)  // ts, level, service, logger, msg, the hostile key, metadata.msg
    }

    @Test func metadataProviderAndCallMetadataMergeCallWins() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["tenant": "from-provider", "shared": "provider"] }
        var handler = JSONLogHandler(label: "x", service: "search", metadataProvider: provider, output: lines.append)
        handler.metadata = ["shared": "handler", "own": "handler"]
        Logger(label: "x") { _ in handler }.info("m", metadata: ["shared": "call"])
        let object = try #require(try lines.objects().first)
        #expect(object["tenant"] as? String == "from-provider")
        #expect(object["own"] as? String == "handler")
        #expect(object["shared"] as? String == "call")
    }

    @Test(arguments: [
        ("debug", Logger.Level.debug), ("WARN", .warning), (" Error ", .error), ("trace", .trace),
        ("critical", .critical),
    ])
    func levelSettingParses(text: String, level: Logger.Level) {
        #expect(Logger.Level(setting: text) == level)
    }

    @Test(arguments: ["", "verbose", "1", "info;rm -rf"])
    func levelSettingRefusesNonsense(text: String) {
        #expect(Logger.Level(setting: text) == nil)
    }

    @Test func timestampFormat() {
        let instant = WallClock.Instant(seconds: 1_714_566_896, nanoseconds: 7_999_999)
        #expect(instant.rfc3339 == "2024-05-01T12:34:56.007Z")
        #expect(WallClock.Instant(seconds: 0, nanoseconds: 999_999_999).rfc3339 == "1970-01-01T00:00:00.999Z")
    }
}

extension ISO8601DateFormatter {
    static var withMilliseconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
