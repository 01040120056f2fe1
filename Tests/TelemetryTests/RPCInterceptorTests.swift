import MeshRPC
import MeshRPCTelemetry
import Synchronization
import Testing
import Tracing

@testable import Telemetry

/// The telemetry interceptors on both ends of MeshRPC's in-process transport: metrics move, `b3` carries the
/// trace from client to server, failures are tagged with their status and kept even when not sampled.
@Suite struct RPCInterceptorTests {
    static let get = MethodDescriptor(service: "test.Files", method: "Get")
    static let list = MethodDescriptor(service: "test.Files", method: "List")
    let coder = ByteArrayCoder()

    /// What the handler saw of the trace.
    final class Seen: Sendable {
        let values = Mutex<[(b3Header: String?, context: B3Context?)]>([])
        var all: [(b3Header: String?, context: B3Context?)] { values.withLock { $0 } }
        func record(_ metadata: Metadata) {
            let entry = (metadata.first("b3"), ServiceContext.current?.b3)
            values.withLock { $0.append(entry) }
        }
    }

    static func router(seen: Seen) -> RPCRouter {
        var router = RPCRouter()
        let coder = ByteArrayCoder()
        router.registerUnary(get, deserializer: coder, serializer: coder) { request, _ in
            seen.record(request.metadata)
            if let code = request.metadata.first("fail").flatMap(Int.init) {
                throw RPCError(code: RPCError.Code(rawValue: code), message: "asked to fail")
            }
            return ServerResponse(message: request.message)
        }
        router.registerServerStreaming(list, deserializer: coder, serializer: coder) { request, _ in
            StreamingServerResponse { writer in
                // The producer runs after the interceptor returned; it must still be inside the server span.
                seen.record(request.metadata)
                for byte in request.message { try await writer.write([byte]) }
                return [:]
            }
        }
        return router
    }

    /// A client and in-process server with the telemetry interceptors, one tracer per side; a nil client tracer
    /// makes a client without telemetry.
    func withMesh(
        server: RecordingTracer, client: RecordingTracer?, metrics: PrometheusMetrics, seen: Seen,
        _ body: (RPCClient) async throws -> Void
    ) async throws {
        let (clientTransport, serverTransport) = InProcessTransport.makePair()
        let rpcServer = RPCServer(
            transport: serverTransport, router: Self.router(seen: seen),
            interceptors: [ServerTelemetryInterceptor(tracer: server.tracer, metrics: metrics.factory)])
        let interceptors = client.map { [ClientTelemetryInterceptor(tracer: $0.tracer, metrics: metrics.factory)] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await rpcServer.serve() }
            defer { rpcServer.beginGracefulShutdown() }  // also when `body` throws, or the group never ends
            try await body(RPCClient(transport: clientTransport, interceptors: interceptors ?? []))
        }
    }

    /// Calls wait for the server task to listen: it may not have started yet.
    static let options = CallOptions(waitForReady: true)

    static func parts(sampleRate: Double = 1) throws -> (RecordingTracer, RecordingTracer, PrometheusMetrics, Seen) {
        let server = try RecordingTracer(service: "metadata", sampleRate: sampleRate)
        let client = try RecordingTracer(service: "gateway", sampleRate: sampleRate)
        return (server, client, PrometheusMetrics(processMetrics: false), Seen())
    }

    func get(_ client: RPCClient, metadata: Metadata = [:]) async throws -> [UInt8] {
        try await client.unary(
            request: ClientRequest(metadata: metadata, message: [1, 2, 3]), descriptor: Self.get, serializer: coder,
            deserializer: coder, options: Self.options
        ).message
    }

    @Test func successfulCallIsCountedTimedAndOneTrace() async throws {
        let (server, client, metrics, seen) = try Self.parts()
        try await withMesh(server: server, client: client, metrics: metrics, seen: seen) { client in
            for _ in 0..<2 {
                let echoed = try await get(client)
                #expect(echoed == [1, 2, 3])
            }
        }
        let text = metrics.render()
        let ok = ["service": "test.Files", "method": "Get", "code": "OK"]
        #expect(Exposition.value(text, "fileflow_rpc_server_requests_total", ok) == 2)
        #expect(Exposition.value(text, "fileflow_rpc_client_requests_total", ok) == 2)
        #expect(Exposition.value(text, "fileflow_rpc_server_duration_seconds_count", ok) == 2)
        #expect(Exposition.value(text, "fileflow_rpc_client_duration_seconds_count", ok) == 2)
        let inf = ok.merging(["le": "+Inf"]) { $1 }
        #expect(Exposition.value(text, "fileflow_rpc_client_duration_seconds_bucket", inf) == 2)
        #expect(Exposition.value(text, "fileflow_rpc_server_in_flight", ["method": "Get"]) == 0)

        let clientSpans = try client.spans()
        let serverSpans = try server.spans()
        #expect(clientSpans.count == 2 && serverSpans.count == 2)
        for (clientSpan, seenByHandler) in zip(clientSpans, seen.all) {
            #expect(clientSpan.kind == "CLIENT")
            #expect(clientSpan["name"] as? String == "test.Files/Get")
            #expect(clientSpan.tags["grpc.status_code"] == "0")
            #expect(clientSpan.tags["error"] == nil)
            let serverSpan = try #require(serverSpans.first { $0.parentID == clientSpan.id })
            #expect(serverSpan.kind == "SERVER")
            #expect(serverSpan.traceID == clientSpan.traceID)
            #expect(serverSpan.tags["rpc.method"] == "Get")
            #expect(serverSpan.tags["grpc.status_code"] == "0")
            // The client names the service it called; an in-process caller has no address for the server to name.
            #expect(serverSpan["remoteEndpoint"] == nil)
            #expect((clientSpan["remoteEndpoint"] as? [String: Any])?["serviceName"] as? String == "test.Files")
            // The handler ran inside the server span, and the b3 it received named the client span.
            let header = try #require(seenByHandler.b3Header)
            #expect(header.hasPrefix("\(clientSpan.traceID!)-\(clientSpan.id!)-1"))
        }
        #expect(Set(seen.all.compactMap { $0.context?.spanID.description }) == Set(serverSpans.compactMap(\.id)))
    }

    @Test func callerSpanBecomesTheClientSpansParent() async throws {
        let (server, client, metrics, seen) = try Self.parts()
        let request = client.tracer.startSpan("POST /api/v1/files", context: .topLevel, ofKind: .server)
        try await withMesh(server: server, client: client, metrics: metrics, seen: seen) { rpc in
            try await ServiceContext.$current.withValue(request.context) { _ = try await get(rpc) }
        }
        request.end()
        let spans = try client.spans()
        let root = try #require(spans.named("POST /api/v1/files").first)
        let call = try #require(spans.named("test.Files/Get").first)
        #expect(call.parentID == root.id && call.traceID == root.traceID)
        #expect(try server.spans().first?.parentID == call.id)
    }

    @Test func failedCallIsTaggedAndKeptThoughNotSampled() async throws {
        let (server, client, metrics, seen) = try Self.parts(sampleRate: 0)
        try await withMesh(server: server, client: client, metrics: metrics, seen: seen) { client in
            _ = try await get(client)  // fine and not sampled: no span
            let error = await #expect(throws: RPCError.self) { try await get(client, metadata: ["fail": "5"]) }
            #expect(error?.code == .notFound)
            for code in [99, 42] {
                let odd = await #expect(throws: RPCError.self) { try await get(client, metadata: ["fail": "\(code)"]) }
                #expect(odd?.code.rawValue == code)
            }
        }
        let text = metrics.render()
        let labels = ["service": "test.Files", "method": "Get"]
        // A code outside gRPC's seventeen counts as UNKNOWN: a peer cannot mint new label values.
        for side in ["server", "client"] {
            for code in ["OK", "NOT_FOUND", "UNKNOWN"] {
                let series = labels.merging(["code": code]) { $1 }
                let count: Double = code == "UNKNOWN" ? 2 : 1
                #expect(Exposition.value(text, "fileflow_rpc_\(side)_requests_total", series) == count, "\(side) \(code)")
            }
        }
        for spans in [try server.spans(), try client.spans()] {
            #expect(spans.count == 3)
            let notFound = try #require(spans.first { $0.tags["grpc.status_code"] == "5" })
            #expect(notFound.tags["error"] == "NOT_FOUND")
            #expect(notFound.tags["grpc.status_message"] == "asked to fail")
            // Such codes share UNKNOWN's series, not their tag: each span has its own code.
            for code in ["99", "42"] {
                #expect(spans.contains { $0.tags["grpc.status_code"] == code && $0.tags["error"] == "UNKNOWN" })
            }
        }
    }

    @Test func streamingCallEndsWhenItsStatusArrives() async throws {
        let (server, client, metrics, seen) = try Self.parts()
        try await withMesh(server: server, client: client, metrics: metrics, seen: seen) { client in
            let received = try await client.serverStreaming(
                request: ClientRequest(message: [7, 8, 9]), descriptor: Self.list, serializer: coder,
                deserializer: coder, options: Self.options
            ) { response in
                var all: [UInt8] = []
                for try await message in response.messages { all += message }
                return all
            }
            #expect(received == [7, 8, 9])
        }
        let text = metrics.render()
        let ok = ["method": "List", "code": "OK"]
        #expect(Exposition.value(text, "fileflow_rpc_server_requests_total", ok) == 1)
        #expect(Exposition.value(text, "fileflow_rpc_client_requests_total", ok) == 1)
        #expect(Exposition.value(text, "fileflow_rpc_server_in_flight", ["method": "List"]) == 0)
        let serverSpan = try #require(try server.spans().first)
        #expect(seen.all.first?.context?.spanID.description == serverSpan.id)
        #expect(serverSpan.parentID == (try client.spans().first?.id))
    }

    @Test(arguments: [
        "garbage", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-x", String(repeating: "f", count: 5000),
    ])
    func malformedIncomingB3StartsANewTrace(value: String) async throws {
        let (server, metrics, seen) = (try RecordingTracer(service: "metadata"), PrometheusMetrics(), Seen())
        // A client without telemetry: the hostile header goes through as sent.
        try await withMesh(server: server, client: nil, metrics: metrics, seen: seen) { client in
            let echoed = try await get(client, metadata: ["b3": "\(value)"])
            #expect(echoed == [1, 2, 3])
        }
        let span = try #require(try server.spans().first)
        #expect(span.parentID == nil)
        #expect(span.traceID?.count == 32)
    }
}
