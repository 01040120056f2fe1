import Dispatch
import Foundation
import Logging
import Metrics
import Synchronization
import Tracing

/// The telemetry of one process, installed once: JSON-lines logging, the Prometheus registry behind
/// swift-metrics, and the Zipkin tracer behind swift-distributed-tracing.
///
/// swift-log, swift-metrics and swift-distributed-tracing each accept a single bootstrap per process, so the
/// first `bootstrap` installs everything and later calls (whatever the service name) return the same instance.
public final class ProcessTelemetry: Sendable {
    public let service: String
    public let metrics: PrometheusMetrics
    /// Always present: without an exporter it still propagates B3 and puts trace ids in log lines.
    public let tracer: ZipkinTracer

    private static let installed = Mutex<ProcessTelemetry?>(nil)

    private init(service: String, metrics: PrometheusMetrics, tracer: ZipkinTracer) {
        self.service = service
        self.metrics = metrics
        self.tracer = tracer
    }

    public static func bootstrap(
        service: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ProcessTelemetry {
        var problems: [String] = []
        let telemetry = installed.withLock { installed in
            if let installed { return installed }
            var settings = TelemetrySettings(environment: environment)
            let telemetry = install(service: service, settings: &settings)
            problems = settings.problems
            installed = telemetry
            return telemetry
        }
        let logger = Logger(label: "fileflow.telemetry")
        for problem in problems { logger.warning("\(problem)") }
        return telemetry
    }

    private static func install(service: String, settings: inout TelemetrySettings) -> ProcessTelemetry {
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: service, level: level) }

        let metrics = PrometheusMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        metrics.monitorDisk(path: settings.dataDirectory)

        var reporter: ZipkinReporter?
        if let configuration = settings.reporter {
            do {
                reporter = try ZipkinReporter(configuration: configuration)
                reporter.map(metrics.monitor)
            } catch {
                settings.problems.append("spans are not exported: \(error)")
            }
        }
        let tracer = ZipkinTracer(serviceName: service, sampleRate: settings.sampleRate, reporter: reporter)
        InstrumentationSystem.bootstrap(tracer)
        return ProcessTelemetry(service: service, metrics: metrics, tracer: tracer)
    }

    /// Sends the spans still queued (for up to 5 s); call after the last request. The reporter's shutdown
    /// blocks, so it runs off the cooperative thread pool.
    public func shutdown() async {
        guard let reporter = tracer.reporter else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                reporter.shutdown(timeout: 5)
                done.resume()
            }
        }
    }
}
