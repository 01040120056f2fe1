import Foundation
import Tracing

/// One span of `ZipkinTracer`; thread-safe, reported once on the first `end`.
///
/// It always records, even when the trace is not sampled, because an errored span is kept regardless of sampling.
public final class ZipkinSpan: Span, @unchecked Sendable {
    /// Attribute names that fill Zipkin's `remoteEndpoint` instead of becoming tags.
    public static let remoteServiceAttribute = "peer.service"
    public static let remoteAddressAttribute = "network.peer.address"
    public static let remotePortAttribute = "network.peer.port"

    public let context: ServiceContext
    private let b3: B3Context
    private let kind: SpanKind
    private let startNanos: UInt64
    private let tracer: ZipkinTracer
    private let lock = NSLock()
    private var name: String
    private var storedAttributes: SpanAttributes = [:]
    private var events: [SpanEvent] = []
    private var errorTag: String?
    private var ended = false

    init(name: String, context: ServiceContext, b3: B3Context, kind: SpanKind, startNanos: UInt64, tracer: ZipkinTracer) {
        self.name = name
        self.context = context
        self.b3 = b3
        self.kind = kind
        self.startNanos = startNanos
        self.tracer = tracer
    }

    public var operationName: String {
        get { lock.withLock { name } }
        set { lock.withLock { name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { lock.withLock { storedAttributes } }
        set { lock.withLock { storedAttributes = newValue } }
        // `span.attributes[key] = value` edits in place instead of copying the dictionary each time.
        _modify {
            lock.lock()
            defer { lock.unlock() }
            yield &storedAttributes
        }
    }

    public var isRecording: Bool { true }

    public func setStatus(_ status: SpanStatus) {
        guard status.code == .error else { return }
        lock.withLock { errorTag = status.message ?? errorTag ?? "true" }
    }

    public func addEvent(_ event: SpanEvent) {
        lock.withLock { events.append(event) }
    }

    public func recordError<Instant: TracerInstant>(
        _ error: Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        let event = SpanEvent(name: "error", at: instant(), attributes: attributes)
        lock.withLock {
            errorTag = String(describing: error)
            events.append(event)
        }
    }

    /// Zipkin v2 has no links; the linked span's IDs are kept as a tag so the relation is not lost.
    public func addLink(_ link: SpanLink) {
        guard let linked = link.context.b3 else { return }
        lock.withLock { storedAttributes["zipkin.link"] = "\(linked.traceID)-\(linked.spanID)" }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endNanos = instant().nanosecondsSinceEpoch
        let record: ZipkinSpanRecord? = lock.withLock {
            guard !ended else { return nil }
            ended = true
            let keep = b3.sampling == .accept || b3.sampling == .debug || errorTag != nil
            return keep ? makeRecord(endNanos: endNanos) : nil
        }
        if let record { tracer.reporter?.report(record) }
    }

    /// Called with the lock held.
    private func makeRecord(endNanos: UInt64) -> ZipkinSpanRecord {
        var remote = ZipkinSpanRecord.Endpoint()
        var tags: [(String, String)] = []
        storedAttributes.forEach { key, value in
            let text = Self.text(value)
            switch key {
            case Self.remoteServiceAttribute: remote.serviceName = text
            case Self.remoteAddressAttribute:
                if text.contains(":") { remote.ipv6 = text } else { remote.ipv4 = text }
            case Self.remotePortAttribute: remote.port = Int(text)
            default: tags.append((key, text))
            }
        }
        if let errorTag { tags.append(("error", errorTag)) }
        tags.sort { $0.0 < $1.0 }
        let zipkinKind: ZipkinSpanRecord.Kind? =
            switch kind {
            case .server: .server
            case .client: .client
            case .producer: .producer
            case .consumer: .consumer
            default: nil
            }
        return ZipkinSpanRecord(
            traceID: b3.traceID,
            id: b3.spanID,
            parentID: b3.parentSpanID,
            name: name,
            kind: zipkinKind,
            timestamp: startNanos / 1000,
            duration: endNanos > startNanos ? (endNanos - startNanos) / 1000 : 1,
            debug: b3.sampling == .debug,
            localEndpoint: .init(serviceName: tracer.serviceName),
            remoteEndpoint: remote.isEmpty ? nil : remote,
            annotations: events.map { ($0.nanosecondsSinceEpoch / 1000, $0.name) },
            tags: tags
        )
    }

    private static func text(_ attribute: SpanAttribute) -> String {
        switch attribute {
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .string(let value): value
        case .stringConvertible(let value): value.description
        case .int32Array(let values): values.map(String.init).joined(separator: ",")
        case .int64Array(let values): values.map(String.init).joined(separator: ",")
        case .doubleArray(let values): values.map { String($0) }.joined(separator: ",")
        case .boolArray(let values): values.map(String.init).joined(separator: ",")
        case .stringArray(let values): values.joined(separator: ",")
        case .stringConvertibleArray(let values): values.map(\.description).joined(separator: ",")
        default: String(describing: attribute)
        }
    }
}
