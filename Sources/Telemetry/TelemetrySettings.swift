public import Logging

/// What the environment asks of a process's telemetry, each bad value replaced by its default and explained.
public struct TelemetrySettings: Sendable {
    /// `FILEFLOW_LOG_LEVEL`: `trace` … `critical`; default `info`.
    public var logLevel = Logger.Level.info
    /// `FILEFLOW_TRACE_SAMPLE_RATE`: the share of new traces recorded, 0…1; default 1.
    public var sampleRate = 1.0
    /// `FILEFLOW_ZIPKIN_ENDPOINT` and/or `FILEFLOW_TRACE_FILE`; nil exports no spans (B3 still propagates).
    public var reporter: ZipkinReporter.Configuration?
    /// `FILEFLOW_DATA_DIR` (default `.fileflow/data`), whose file system the disk metrics watch.
    public var dataDirectory = ".fileflow/data"
    /// One sentence per setting that was not understood, to be logged once logging is up.
    public var problems: [String] = []

    public init(environment: [String: String]) {
        logLevel = setting(environment, "FILEFLOW_LOG_LEVEL", default: logLevel) { Logger.Level(setting: $0) }
        sampleRate = setting(environment, "FILEFLOW_TRACE_SAMPLE_RATE", default: sampleRate) {
            Double($0).flatMap { (0...1).contains($0) ? $0 : nil }
        }
        reporter = ZipkinReporter.Configuration.fromEnvironment(environment)
        if let directory = environment["FILEFLOW_DATA_DIR"], !directory.isEmpty { dataDirectory = directory }
    }

    /// Unset or empty gives the default; a value `parse` refuses gives the default and a problem.
    private mutating func setting<Value>(
        _ environment: [String: String], _ name: String, default fallback: Value, parse: (String) -> Value?
    ) -> Value {
        guard let raw = environment[name], !raw.isEmpty else { return fallback }
        guard let value = parse(raw) else {
            problems.append("\(name)=\(raw) is not valid; using \(fallback)")
            return fallback
        }
        return value
    }
}
