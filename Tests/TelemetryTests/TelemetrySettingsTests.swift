import CoreMetrics
import Logging
import Testing
import Tracing

@testable import Telemetry

@Suite struct TelemetrySettingsTests {
    @Test func defaultsWithoutEnvironment() {
        let settings = TelemetrySettings(environment: [:])
        #expect(settings.logLevel == .info)
        #expect(settings.sampleRate == 1)
        #expect(settings.reporter == nil)
        #expect(settings.dataDirectory == ".fileflow/data")
        #expect(settings.problems.isEmpty)
    }

    @Test func readsEverySetting() {
        let settings = TelemetrySettings(environment: [
            "FILEFLOW_LOG_LEVEL": "debug", "FILEFLOW_TRACE_SAMPLE_RATE": "0.25", "FILEFLOW_DATA_DIR": "/srv/ff",
            "FILEFLOW_ZIPKIN_ENDPOINT": "http://127.0.0.1:9411/api/v2/spans", "FILEFLOW_TRACE_FILE": "/tmp/t.jsonl",
        ])
        #expect(settings.logLevel == .debug)
        #expect(settings.sampleRate == 0.25)
        #expect(settings.dataDirectory == "/srv/ff")
        #expect(settings.reporter?.endpoint == "http://127.0.0.1:9411/api/v2/spans")
        #expect(settings.reporter?.traceFile == "/tmp/t.jsonl")
        #expect(settings.problems.isEmpty)
    }

    @Test(arguments: [
        ["FILEFLOW_LOG_LEVEL": "loud"], ["FILEFLOW_TRACE_SAMPLE_RATE": "2"], ["FILEFLOW_TRACE_SAMPLE_RATE": "-0.1"],
        ["FILEFLOW_TRACE_SAMPLE_RATE": "nan"], ["FILEFLOW_TRACE_SAMPLE_RATE": "half"],
    ])
    func badValuesFallBackAndAreReported(environment: [String: String]) {
        let settings = TelemetrySettings(environment: environment)
        #expect(settings.logLevel == .info)
        #expect(settings.sampleRate == 1)
        #expect(settings.problems.count == 1)
        #expect(settings.problems.first?.hasPrefix(environment.keys.first!) == true)
    }

    /// The only test that installs the process-wide systems (one bootstrap per process is all they allow).
    @Test func bootstrapInstallsOnceAndFeedsTheGlobalSystems() throws {
        let first = ProcessTelemetry.bootstrap(service: "telemetry-tests", environment: ["FILEFLOW_LOG_LEVEL": "error"])
        let second = ProcessTelemetry.bootstrap(service: "other", environment: [:])
        #expect(first === second)
        #expect(second.service == "telemetry-tests")

        Counter(label: MetricName.bytesDownloaded.name).increment(by: 5)  // through MetricsSystem's factory
        #expect(Exposition.value(first.metrics.render(), "fileflow_bytes_downloaded_total") ?? 0 >= 5)
        #expect(InstrumentationSystem.tracer is ZipkinTracer)

        let span = first.tracer.startSpan("request", context: .topLevel, ofKind: .server)
        let header = ServiceContext.$current.withValue(span.context) {
            MessageTracing.producerHeader(topic: "file-uploads", key: "f")
        }
        #expect(header?.hasPrefix(span.context.b3!.traceID.description) == true)
    }
}
