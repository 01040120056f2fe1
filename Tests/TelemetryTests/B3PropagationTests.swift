import Testing
import Tracing

@testable import Telemetry

@Suite struct B3PropagationTests {
    let tracer = ZipkinTracer(serviceName: "test", reporter: nil)

    func extract(_ headers: [(String, String)]) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(headers, into: &context, using: HeaderExtractor())
        return context
    }

    @Test func singleHeaderRoundTrip() throws {
        let parent = tracer.startSpan("parent", context: .topLevel, ofKind: .server, at: DefaultTracerClock.now,
            function: #function, file: #fileID, line: #line)
        var headers: [(String, String)] = [("b3", "stale")]
        tracer.inject(parent.context, into: &headers, using: HeaderInjector())
        #expect(headers.count == 1)
        let original = try #require(parent.context.b3)
        #expect(headers[0].1 == "\(original.traceID)-\(original.spanID)-1")
        #expect(extract(headers).b3 == original)
    }

    @Test func singleHeaderWithParentAndDebug() throws {
        let value = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90"
        let b3 = try #require(extract([("B3", value)]).b3)
        #expect(b3.traceID.description == "80f198ee56343ba864fe8b2a57d3eff7")
        #expect(b3.spanID.description == "e457b5a2e4d86bd1")
        #expect(b3.parentSpanID?.description == "05e3ac9a4f6e3b90")
        #expect(b3.sampling == .debug)
        #expect(B3Propagation.encodeSingle(b3) == value)
    }

    @Test func multiHeadersAccepted() throws {
        let b3 = try #require(
            extract([
                ("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312"),
                ("X-B3-ParentSpanId", "0020000000000001"), ("X-B3-Sampled", "0"),
                ("X-B3-TraceId", "ffffffffffffffff"),
            ]).b3)
        #expect(b3.traceID.description == "463ac35c9f6413ad")  // 64-bit IDs propagate unchanged; first wins
        #expect(!b3.traceID.is128Bit)
        #expect(b3.parentSpanID?.description == "0020000000000001")
        #expect(b3.sampling == .deny)
        let flagged = try #require(
            extract([("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124"), ("x-b3-spanid", "a2fb4a1d1a96d312"),
                ("x-b3-flags", "1")]).b3)
        #expect(flagged.sampling == .debug)
    }

    @Test(arguments: [
        "80f198ee56343ba864fe8b2a57d3eff-e457b5a2e4d86bd1-1",  // 31-char trace ID
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd-1",  // 15-char span ID
        "80F198EE56343BA864FE8B2A57D3EFF7-e457b5a2e4d86bd1-1",  // uppercase
        "80f198ee56343ba864fe8b2a57d3effz-e457b5a2e4d86bd1-1",  // non-hex
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-2",  // bad sampling flag
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-",  // empty parent
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90-x",  // extra field
        "00000000000000000000000000000000-e457b5a2e4d86bd1-1",  // zero trace ID
        "80f198ee56343ba864fe8b2a57d3eff7-0000000000000000-1",  // zero span ID
        "80f198ee56343ba864fe8b2a57d3eff7",  // trace ID alone
        "", "-", "true", String(repeating: "a", count: 200),
    ])
    func hostileSingleHeaderIgnored(value: String) {
        let context = extract([("b3", value)])
        #expect(context.b3 == nil)
        #expect(context[B3SamplingKey.self] == nil)
        let span = tracer.startSpan("fresh", context: context, ofKind: .server, at: DefaultTracerClock.now,
            function: #function, file: #fileID, line: #line)
        #expect(span.context.b3?.parentSpanID == nil)
        #expect(span.context.b3?.traceID.is128Bit == true)
    }

    @Test(arguments: [
        [("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312"), ("X-B3-Sampled", "yes")],
        [("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312"), ("X-B3-Sampled", "")],
        [("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312"), ("X-B3-ParentSpanId", "-")],
        [("X-B3-TraceId", "463ac35c9f6413ad")],
        [("X-B3-SpanId", "a2fb4a1d1a96d312")],
        [("X-B3-TraceId", "463ac35c9f6413a"), ("X-B3-SpanId", "a2fb4a1d1a96d312")],
    ])
    func hostileMultiHeadersIgnored(headers: [(String, String)]) {
        #expect(extract(headers).b3 == nil)
    }

    @Test func malformedSingleFallsBackToMulti() throws {
        let b3 = try #require(
            extract([("b3", "garbage"), ("X-B3-TraceId", "463ac35c9f6413ad"), ("X-B3-SpanId", "a2fb4a1d1a96d312")]).b3)
        #expect(b3.spanID.description == "a2fb4a1d1a96d312")
        #expect(b3.sampling == .deferred)
    }

    @Test func samplingOnlyDenyIsHonouredAndPropagated() throws {
        let context = extract([("b3", "0")])
        #expect(context.b3 == nil)
        let span = tracer.startSpan("health", context: context, ofKind: .server, at: DefaultTracerClock.now,
            function: #function, file: #fileID, line: #line)
        let b3 = try #require(span.context.b3)
        #expect(b3.sampling == .deny)
        var headers: [(String, String)] = []
        tracer.inject(span.context, into: &headers, using: HeaderInjector())
        #expect(headers.first?.1.hasSuffix("-0") == true)
    }
}
