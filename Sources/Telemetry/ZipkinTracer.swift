import FlowJSON
import Tracing

/// A swift-distributed-tracing `Tracer` that produces Zipkin v2 spans and propagates B3.
///
/// Every span gets its own span ID; an extracted remote context becomes the parent (the "alternate" model in
/// the B3 spec), so client and server sides are separate nodes of one tree.
public final class ZipkinTracer: Tracer, Sendable {
    public typealias Span = ZipkinSpan

    public let serviceName: String
    /// Probability in 0...1 that a new trace is accepted; a propagated decision always wins.
    public let sampleRate: Double
    public let reporter: ZipkinReporter?
    /// `{"serviceName":…}`, the same in every span, encoded once.
    let localEndpointJSON: String

    public init(serviceName: String, sampleRate: Double = 1.0, reporter: ZipkinReporter?) {
        self.serviceName = serviceName
        self.sampleRate = min(max(sampleRate, 0), 1)
        self.reporter = reporter
        var endpoint = JSONText()
        endpoint.field("serviceName", serviceName)
        localEndpointJSON = endpoint.finished()
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> ZipkinSpan {
        var spanContext = context()
        let requested = spanContext[B3SamplingKey.self]
        // Removed only when there: a context write costs more than the read.
        if requested != nil { spanContext[B3SamplingKey.self] = nil }
        let b3: B3Context
        if let parent = spanContext.b3 {
            let sampling = parent.sampling == .deferred ? decide() : parent.sampling
            b3 = B3Context(traceID: parent.traceID, spanID: .random(), parentSpanID: parent.spanID, sampling: sampling)
        } else {
            let requested = requested ?? .deferred
            b3 = B3Context(traceID: .random(), spanID: .random(), sampling: requested == .deferred ? decide() : requested)
        }
        spanContext.b3 = b3
        return ZipkinSpan(
            name: operationName,
            context: spanContext,
            b3: b3,
            kind: kind,
            startNanos: instant().nanosecondsSinceEpoch,
            tracer: self
        )
    }

    private func decide() -> B3Context.Sampling {
        TraceRandom.shared.withLock { Double.random(in: 0..<1, using: &$0) } < sampleRate ? .accept : .deny
    }

    public func forceFlush() {
        reporter?.flush()
    }

    /// Writes the single `b3` header (the compact form every transport here accepts).
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        if let b3 = context.b3 {
            injector.inject(B3Propagation.encodeSingle(b3), forKey: B3Propagation.singleHeader, into: &carrier)
        } else if let sampling = context[B3SamplingKey.self], let flag = B3Propagation.flag(for: sampling) {
            injector.inject(flag, forKey: B3Propagation.singleHeader, into: &carrier)
        }
    }

    /// Reads `b3`, falling back to `X-B3-*`; malformed headers are ignored and the next span starts a new trace.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        switch B3Propagation.decode({ extractor.extract(key: $0, from: carrier) }) {
        case .context(let b3): context.b3 = b3
        case .samplingOnly(let sampling): context[B3SamplingKey.self] = sampling
        case nil: break
        }
    }
}
