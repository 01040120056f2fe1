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
    let b3: B3Context
    let kind: SpanKind
    let startNanos: UInt64
    let tracer: ZipkinTracer
    private let lock = NSLock()
    // Read by `writeJSON` (ZipkinSpan+JSON.swift), with the lock held.
    private(set) var name: String
    private(set) var storedAttributes: SpanAttributes = [:]
    private(set) var events: [SpanEvent] = []
    private(set) var errorTag: String?
    private(set) var encodedTags: [UInt8] = []
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

    /// Adds tags encoded once for many spans; they are written before the attributes' tags, whose keys must differ.
    public func addEncodedTags(_ tags: EncodedSpanTags) {
        guard !tags.bytes.isEmpty else { return }
        lock.withLock {
            if !encodedTags.isEmpty { encodedTags.append(UInt8(ascii: ",")) }
            encodedTags.append(contentsOf: tags.bytes)
        }
    }

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
        let encoded: [UInt8]? = lock.withLock {
            guard !ended else { return nil }
            ended = true
            let keep = b3.sampling == .accept || b3.sampling == .debug || errorTag != nil
            // A full queue would drop the span: then it is not worth encoding.
            guard keep, let reporter = tracer.reporter, !reporter.dropIfFull() else { return nil }
            var object = JSONText(capacity: 512)
            writeJSON(into: &object, endNanos: endNanos)
            return object.finishedBytes()
        }
        if let encoded { tracer.reporter?.report(encoded) }
    }
}

/// String tags encoded once and added to many spans (`ZipkinSpan.addEncodedTags`): the tags every span of a kind
/// shares, such as an RPC method's system, service and name, then cost one copy per span instead of a dictionary
/// insert and an encoding each (together a tenth of a traced call's CPU).
public struct EncodedSpanTags: Sendable {
    let bytes: [UInt8]

    public init(_ tags: [(key: String, value: String)]) {
        var members = JSONText()
        for (key, value) in tags { members.field(key, value) }
        bytes = members.finishedMembers()
    }
}
