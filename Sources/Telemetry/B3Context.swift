import Tracing

/// The trace position of one span as B3 carries it between processes.
public struct B3Context: Hashable, Sendable {
    /// B3 sampling state; `deferred` means the receiver decides.
    public enum Sampling: Hashable, Sendable {
        case accept
        case deny
        case debug
        case deferred
    }

    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    public var sampling: Sampling

    public init(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, sampling: Sampling) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.sampling = sampling
    }
}

/// What an extractor found: full identifiers, or only a sampling decision (`b3: 0`, `X-B3-Sampled: 1`).
enum B3Extracted: Equatable {
    case context(B3Context)
    case samplingOnly(B3Context.Sampling)
}

/// Stores the current span's B3 context in a `ServiceContext`, so children, injectors and log lines find it.
enum B3ContextKey: ServiceContextKey {
    typealias Value = B3Context
    static var nameOverride: String? { "zipkin-b3" }
}

/// Stores a sampling decision received without identifiers, so the next root span honours it.
enum B3SamplingKey: ServiceContextKey {
    typealias Value = B3Context.Sampling
    static var nameOverride: String? { "zipkin-b3-sampling" }
}

extension ServiceContext {
    /// The B3 context of the active span, if any; read by `JSONLogHandler` for `trace_id`/`span_id`.
    public var b3: B3Context? {
        get { self[B3ContextKey.self] }
        set { self[B3ContextKey.self] = newValue }
    }
}
