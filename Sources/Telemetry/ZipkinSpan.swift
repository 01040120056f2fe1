import FlowJSON
import Synchronization
import Tracing

/// One span of `ZipkinTracer`; thread-safe, reported once on the first `end`.
///
/// It always records, even when the trace is not sampled, because an errored span is kept regardless of sampling.
public final class ZipkinSpan: Span, @unchecked Sendable {
    /// Attribute names that fill Zipkin's `remoteEndpoint` instead of becoming tags.
    public static let remoteServiceAttribute = "peer.service"
    public static let remoteAddressAttribute = "network.peer.address"
    public static let remotePortAttribute = "network.peer.port"

    /// What may change while the span is open, behind one lock. A `Mutex` lives inside the span: no lock object
    /// of its own to allocate for every span, as `NSLock` needs.
    struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var errorTag: String?
        var encodedTags: [UInt8] = []
        var remote = RemoteEndpoint()
        var ended = false
    }

    public let context: ServiceContext
    let b3: B3Context
    let kind: SpanKind
    let startNanos: UInt64
    let tracer: ZipkinTracer
    private let state: Mutex<State>

    init(name: String, context: ServiceContext, b3: B3Context, kind: SpanKind, startNanos: UInt64, tracer: ZipkinTracer) {
        state = Mutex(State(name: name))
        self.context = context
        self.b3 = b3
        self.kind = kind
        self.startNanos = startNanos
        self.tracer = tracer
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    /// One lock for a whole edit, instead of a copy of the dictionary per `span.attributes[key] = value`.
    public func updateAttributes(_ update: (inout SpanAttributes) -> Void) {
        state.withLock { update(&$0.attributes) }
    }

    public var isRecording: Bool { true }

    /// Adds tags encoded once for many spans; they are written before the attributes' tags, whose keys must differ.
    public func addEncodedTags(_ tags: EncodedSpanTags) {
        guard !tags.bytes.isEmpty else { return }
        state.withLock { state in
            // The first set is shared, not copied (an RPC span has just one).
            if state.encodedTags.isEmpty {
                state.encodedTags = tags.bytes
            } else {
                state.encodedTags.append(UInt8(ascii: ","))
                state.encodedTags.append(contentsOf: tags.bytes)
            }
        }
    }

    /// Sets `remoteEndpoint` directly, the typed form of the peer attributes (which win when both are set): no
    /// dictionary entries to make and read back for every traced call.
    public func setRemoteEndpoint(serviceName: String? = nil, address: String? = nil, port: Int? = nil) {
        state.withLock { state in
            if let serviceName { state.remote.serviceName = serviceName }
            if let address { state.remote.address = address }
            if let port { state.remote.port = port }
        }
    }

    public func setStatus(_ status: SpanStatus) {
        guard status.code == .error else { return }
        state.withLock { $0.errorTag = status.message ?? $0.errorTag ?? "true" }
    }

    public func addEvent(_ event: SpanEvent) {
        state.withLock { $0.events.append(event) }
    }

    public func recordError<Instant: TracerInstant>(
        _ error: Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        let event = SpanEvent(name: "error", at: instant(), attributes: attributes)
        state.withLock { state in
            state.errorTag = String(describing: error)
            state.events.append(event)
        }
    }

    /// Zipkin v2 has no links; the linked span's IDs are kept as a tag so the relation is not lost.
    public func addLink(_ link: SpanLink) {
        guard let linked = link.context.b3 else { return }
        state.withLock { $0.attributes["zipkin.link"] = "\(linked.traceID)-\(linked.spanID)" }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endNanos = instant().nanosecondsSinceEpoch
        let encoded: [UInt8]? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            let keep = b3.sampling == .accept || b3.sampling == .debug || state.errorTag != nil
            // A full queue would drop the span: then it is not worth encoding.
            guard keep, let reporter = tracer.reporter, !reporter.dropIfFull() else { return nil }
            // Room for a typical RPC span (400-700 bytes) without growing, and small enough (with the array's
            // header, under glibc's 1,032-byte limit) for malloc's per-thread cache: at 1,024 every span's buffer
            // took malloc's slow path, a fifth of what exporting a span cost.
            var object = JSONText(capacity: 960)
            writeJSON(state, into: &object, endNanos: endNanos)
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
