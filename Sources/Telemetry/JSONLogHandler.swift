import FlowJSON
public import Logging
import Tracing

/// A swift-log handler that writes one JSON object per line (CONTRACT.md §6), for Promtail and Loki to read:
/// `ts`, `level`, `service`, `logger`, `msg`, then `trace_id` and `span_id` when a span is active, `error` when
/// one was logged, then the metadata, keys sorted.
///
/// Every string goes through RFC 8259 escaping, so a hostile message or metadata value (newlines, quotes,
/// control characters) can neither break the line nor forge a field. Metadata whose key is one of the fields
/// above is written as `metadata.<key>` instead of shadowing it.
public struct JSONLogHandler: LogHandler {
    public typealias Output = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let service: String
    private let output: Output

    static let ownFields: Set<String> = ["ts", "level", "service", "logger", "msg", "trace_id", "span_id", "error"]

    /// `output` receives each line, newline included; by default it goes to stderr whole.
    public init(
        label: String, service: String, level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil, output: @escaping Output = StandardError.write
    ) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output(line(for: event, at: WallClock.now()))
    }

    func line(for event: LogEvent, at time: WallClock.Instant) -> String {
        var object = JSONText()
        object.field("ts", time.rfc3339)
        object.field("level", event.level.rawValue)
        object.field("service", service)
        object.field("logger", label)
        object.field("msg", event.message.description)
        if let b3 = ServiceContext.current?.b3 {
            object.field("trace_id", b3.traceID.description)
            object.field("span_id", b3.spanID.description)
        }
        if let error = event.error { object.field("error", String(describing: error)) }
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        for key in merged.keys.sorted() {
            object.field(Self.ownFields.contains(key) ? "metadata." + key : key, raw: Self.encode(merged[key]!))
        }
        return object.finished() + "\n"
    }

    static func encode(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map(encode).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            var object = JSONText()
            for key in dictionary.keys.sorted() { object.field(key, raw: encode(dictionary[key]!)) }
            return object.finished()
        }
    }

    private static func quoted(_ text: String) -> String {
        var output = ""
        JSONText.appendQuoted(text, to: &output)
        return output
    }
}

extension Logger.Level {
    /// Parses `FILEFLOW_LOG_LEVEL` (`trace` … `critical`, any case, `warn` too); nil for anything else.
    public init?(setting: String) {
        let normalized = setting.lowercased().filter { !$0.isWhitespace }
        guard let level = Logger.Level(rawValue: normalized == "warn" ? "warning" : normalized) else { return nil }
        self = level
    }
}
