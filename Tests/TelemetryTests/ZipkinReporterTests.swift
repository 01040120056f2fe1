import Foundation
import Glibc
import Testing
import Tracing

@testable import Telemetry

@Suite struct ZipkinReporterTests {
    /// Starts collector.py on a free loopback port; returns the process, its port and its span file.
    func startCollector() async throws -> (Process, Int, String) {
        let portFile = Support.temporaryPath("port")
        let outFile = Support.temporaryPath("collected.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Support.pythonDirectory.appendingPathComponent("collector.py").path,
            portFile, outFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                return (process, port, outFile)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        throw TelemetryError(code: .invalidEndpoint, message: "collector did not start")
    }

    func start(_ tracer: ZipkinTracer, _ name: String, _ kind: SpanKind, parent: ServiceContext = .topLevel)
        -> ZipkinSpan
    {
        tracer.startSpan(name, context: parent, ofKind: kind, at: DefaultTracerClock.now,
            function: #function, file: #fileID, line: #line)
    }

    @Test func spansReachRealCollectorAndFileAndValidate() async throws {
        let (collector, port, collected) = try await startCollector()
        defer {
            // SIGKILL: the test runner's children may inherit a blocked SIGTERM.
            kill(collector.processIdentifier, SIGKILL)
            collector.waitUntilExit()
        }
        let traceFile = Support.temporaryPath("trace.jsonl")
        var configuration = ZipkinReporter.Configuration(
            endpoint: "http://127.0.0.1:\(port)/api/v2/spans", traceFile: traceFile)
        configuration.batchSize = 2
        let reporter = try ZipkinReporter(configuration: configuration)
        let tracer = ZipkinTracer(serviceName: "gateway", reporter: reporter)

        let server = start(tracer, "POST /api/v1/files", .server)
        server.attributes["http.status_code"] = 201
        server.setRemoteEndpoint(address: "10.0.0.1", port: 1)  // the attributes win
        server.attributes[ZipkinSpan.remoteAddressAttribute] = "127.0.0.1"
        server.attributes[ZipkinSpan.remotePortAttribute] = 53122
        server.addEvent("upload.received \"quoted\"\n")
        let client = start(tracer, "FileService/Upload", .client, parent: server.context)
        client.attributes[ZipkinSpan.remoteServiceAttribute] = "file-service"
        client.attributes["grpc.status_code"] = 14
        // Tags encoded once for many spans sit beside the attributes' tags, escaped like them.
        client.addEncodedTags(EncodedSpanTags([("rpc.system", "grpc"), ("rpc.method", "Up\"lo\\ad\n")]))
        client.setStatus(SpanStatus(code: .error, message: "UNAVAILABLE"))
        var headers: [(String, String)] = []
        tracer.inject(client.context, into: &headers, using: HeaderInjector())
        var remote = ServiceContext.topLevel
        tracer.extract(headers, into: &remote, using: HeaderExtractor())
        let producer = start(tracer, "file.uploaded send", .producer, parent: remote)
        producer.addEncodedTags(EncodedSpanTags([("messaging.system", "kafka")]))
        producer.addEncodedTags(EncodedSpanTags([]))
        producer.addEncodedTags(EncodedSpanTags([("messaging.destination", "file-uploads")]))
        let consumer = start(tracer, "file.uploaded receive", .consumer, parent: producer.context)
        consumer.setRemoteEndpoint(serviceName: "kafka", address: "::1", port: 9092)
        for span in [consumer, producer, client, server] { span.end() }
        server.end()  // a second end is ignored

        // Not sampled, but errored: still kept. Not sampled and fine: not kept.
        let quiet = ZipkinTracer(serviceName: "search", sampleRate: 0, reporter: reporter)
        let failed = start(quiet, "Search/Query", .server)
        failed.recordError(TelemetryError(code: .invalidEndpoint, message: "boom"))
        failed.end()
        start(quiet, "Search/Query", .server).end()

        #expect(reporter.shutdown(timeout: 10))
        #expect(reporter.statistics.posted == 5)
        #expect(reporter.statistics.written == 5)
        #expect(reporter.statistics.dropped == 0)
        #expect(try Support.validateSpans(at: traceFile) == 5)
        #expect(try Support.validateSpans(at: collected) == 5)

        let spans = try String(contentsOfFile: collected, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let byName = Dictionary(spans.map { ($0["name"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        let root = try #require(byName["POST /api/v1/files"])
        #expect(root["parentId"] == nil)
        #expect(root["kind"] as? String == "SERVER")
        #expect((root["traceId"] as? String)?.count == 32)
        let caller = try #require(root["remoteEndpoint"] as? [String: Any])
        #expect(caller["ipv4"] as? String == "127.0.0.1" && caller["port"] as? Int == 53122)
        let rpc = try #require(byName["FileService/Upload"])
        #expect(rpc["parentId"] as? String == root["id"] as? String)
        let tags = try #require(rpc["tags"] as? [String: String])
        #expect(tags["grpc.status_code"] == "14")
        #expect(tags["error"] == "UNAVAILABLE")
        #expect(tags["rpc.system"] == "grpc" && tags["rpc.method"] == "Up\"lo\\ad\n")
        #expect(byName["file.uploaded send"]?["tags"] as? [String: String]
                == ["messaging.system": "kafka", "messaging.destination": "file-uploads"])
        #expect((rpc["remoteEndpoint"] as? [String: Any])?["serviceName"] as? String == "file-service")
        #expect(byName["file.uploaded send"]?["parentId"] as? String == rpc["id"] as? String)
        #expect(byName["file.uploaded receive"]?["parentId"] as? String == byName["file.uploaded send"]?["id"] as? String)
        #expect(byName["file.uploaded receive"]?["traceId"] as? String == root["traceId"] as? String)
        let broker = try #require(byName["file.uploaded receive"]?["remoteEndpoint"] as? [String: Any])
        #expect(broker["serviceName"] as? String == "kafka" && broker["ipv6"] as? String == "::1")
        #expect(broker["port"] as? Int == 9092)
        let annotations = try #require(root["annotations"] as? [[String: Any]])
        #expect(annotations.first?["value"] as? String == "upload.received \"quoted\"\n")
        #expect((byName["Search/Query"]?["tags"] as? [String: String])?["error"] == "boom")
        #expect((byName["Search/Query"]?["localEndpoint"] as? [String: Any])?["serviceName"] as? String == "search")
    }

    /// A collector that accepts connections but never answers: `end()` must still return, spans are dropped.
    @Test func stalledCollectorNeverBlocksEnd() throws {
        let (listener, port) = try LoopbackSocket.listen()
        defer { close(listener) }
        var configuration = ZipkinReporter.Configuration(endpoint: "http://127.0.0.1:\(port)/api/v2/spans")
        configuration.queueCapacity = 2
        configuration.batchSize = 1
        configuration.requestTimeout = 0.2
        configuration.initialBackoff = 0.05
        let reporter = try ZipkinReporter(configuration: configuration)
        let tracer = ZipkinTracer(serviceName: "gateway", reporter: reporter)
        for index in 0..<100 { start(tracer, "request \(index)", .server).end() }
        // Held at most: what the reporter took into its stalled POST (everything queued then, up to the capacity)
        // and a refilled queue; every other span is dropped rather than waited for.
        #expect(reporter.statistics.dropped >= 100 - 2 * configuration.queueCapacity)
        #expect(reporter.statistics.dropped + reporter.statistics.queued == 100)
        reporter.shutdown(timeout: 10)
        start(tracer, "after shutdown", .server).end()
        #expect(reporter.statistics.posted == 0)
        #expect(reporter.statistics.dropped + reporter.statistics.postFailures == 101)
    }

    @Test func refusedCollectorCountsFailures() throws {
        var configuration = ZipkinReporter.Configuration(endpoint: "http://127.0.0.1:1/api/v2/spans")
        configuration.maxAttempts = 2
        configuration.initialBackoff = 0.01
        let reporter = try ZipkinReporter(configuration: configuration)
        let tracer = ZipkinTracer(serviceName: "gateway", reporter: reporter)
        start(tracer, "one", .server).end()
        #expect(reporter.shutdown(timeout: 10))
        #expect(reporter.statistics.postFailures == 1)
    }

    @Test(arguments: ["https://zipkin/api", "zipkin:9411", "http://:9411/x", "http://127.0.0.1:70000/x"])
    func invalidEndpointRejected(url: String) {
        #expect(throws: TelemetryError.self) {
            try ZipkinReporter(configuration: .init(endpoint: url))
        }
    }

    @Test func configurationFromEnvironment() {
        #expect(ZipkinReporter.Configuration.fromEnvironment([:]) == nil)
        let configuration = ZipkinReporter.Configuration.fromEnvironment(["FILEFLOW_TRACE_FILE": "/tmp/t.jsonl"])
        #expect(configuration?.traceFile == "/tmp/t.jsonl")
        #expect(configuration?.endpoint == nil)
    }
}
