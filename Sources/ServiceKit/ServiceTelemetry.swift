public import MeshRPC
import MeshRPCTelemetry
import Telemetry

/// Process-wide telemetry of a service (logs, metrics, traces), set up once at start.
///
/// - Logs: JSON lines on stderr, level from `FILEFLOW_LOG_LEVEL` (default `info`).
/// - Metrics: swift-metrics into one Prometheus registry, rendered by `metricsText` for `/metrics`.
/// - Traces: a Zipkin tracer as the process's tracer; spans go to `FILEFLOW_ZIPKIN_ENDPOINT` and/or
///   `FILEFLOW_TRACE_FILE` when set (B3 propagates either way), new traces sampled at
///   `FILEFLOW_TRACE_SAMPLE_RATE` (0…1, default 1).
public struct ServiceTelemetry: Sendable {
    /// Renders `/metrics` in the Prometheus text format.
    public let metricsText: @Sendable () -> String
    /// Interceptors every RPC server of the process installs (tracing, metrics).
    public let serverInterceptors: [any ServerInterceptor]
    /// Interceptors every mesh client of the process installs (B3 injection, client metrics).
    public let clientInterceptors: [any ClientInterceptor]
    private let flush: @Sendable () async -> Void

    /// Sets up logging, metrics and tracing for the process named `service`. Call first thing; logging,
    /// metrics and tracing are installed once per process, so a second call returns the first call's setup.
    public static func bootstrap(service: String) -> ServiceTelemetry {
        let process = ProcessTelemetry.bootstrap(service: service)
        return ServiceTelemetry(
            metricsText: process.metrics.render,
            serverInterceptors: [ServerTelemetryInterceptor(tracer: process.tracer, metrics: process.metrics.factory)],
            clientInterceptors: [ClientTelemetryInterceptor(tracer: process.tracer, metrics: process.metrics.factory)],
            flush: process.shutdown
        )
    }

    /// Flushes what is buffered (spans); call after the last request.
    public func shutdown() async { await flush() }
}
