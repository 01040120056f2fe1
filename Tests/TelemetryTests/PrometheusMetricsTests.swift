import CoreMetrics
import Foundation
import Glibc
import Testing

@testable import Telemetry

@Suite struct PrometheusMetricsTests {
    @Test func swiftMetricsRenderWithHelpAndTypes() throws {
        let metrics = PrometheusMetrics(processMetrics: false)
        let labels = [("service", "fileflow.v1.MetadataService"), ("method", "GetFile"), ("code", "OK")]
        Counter(label: MetricName.rpcServerRequests.name, dimensions: labels, factory: metrics.factory).increment(by: 3)
        Timer(label: MetricName.rpcServerDuration.name, dimensions: labels, factory: metrics.factory)
            .recordMilliseconds(7)
        Counter(label: MetricName.bytesUploaded.name, factory: metrics.factory).increment(by: 1024)
        Gauge(label: "some_library_queue_depth", factory: metrics.factory).record(2)

        let text = metrics.render()
        #expect(text.contains("# HELP fileflow_rpc_server_requests_total \(MetricName.rpcServerRequests.help)\n"))
        #expect(text.contains("# TYPE fileflow_rpc_server_requests_total counter\n"))
        #expect(text.contains("# TYPE fileflow_rpc_server_duration_seconds histogram\n"))
        #expect(text.contains("# HELP some_library_queue_depth some_library_queue_depth (not in FileFlow's catalogue)"))
        #expect(Exposition.value(text, "fileflow_rpc_server_requests_total", ["method": "GetFile", "code": "OK"]) == 3)
        #expect(Exposition.value(text, "fileflow_bytes_uploaded_total") == 1024)
        // 7 ms falls in the 10 ms bucket, not the 5 ms one; le values are seconds.
        let bucket = "fileflow_rpc_server_duration_seconds_bucket"
        #expect(Exposition.value(text, bucket, ["method": "GetFile", "le": "0.005"]) == 0)
        #expect(Exposition.value(text, bucket, ["method": "GetFile", "le": "0.01"]) == 1)
        #expect(Exposition.value(text, "fileflow_rpc_server_duration_seconds_count", ["method": "GetFile"]) == 1)
        #expect(try promtoolAccepts(text))
    }

    @Test func hostileLabelValuesAreEscaped() throws {
        let metrics = PrometheusMetrics(processMetrics: false)
        let value = "a \"quoted\" \\ back\nslash"
        Counter(label: MetricName.kafkaProduced.name, dimensions: [("topic", value)], factory: metrics.factory)
            .increment()
        let text = metrics.render()
        #expect(Exposition.value(text, "fileflow_kafka_produced_total", ["topic": value]) == 1)
        #expect(try promtoolAccepts(text))
    }

    @Test func processMetricsAreReadFromProc() throws {
        // A real loopback connection whose both ends live in this process: one accepted, one dialled.
        let (listener, port) = try LoopbackSocket.listen()
        defer { close(listener) }
        let dialled = try LoopbackSocket.connect(port: port)
        defer { close(dialled) }
        let accepted = accept(listener, nil, nil)
        defer { close(accepted) }
        try #require(accepted >= 0)

        let metrics = PrometheusMetrics()
        let text = metrics.render()
        let resident = try #require(Exposition.value(text, "process_resident_memory_bytes"))
        #expect(resident > 1_000_000)
        #expect(try #require(Exposition.value(text, "process_open_fds")) >= 6)
        #expect(try #require(Exposition.value(text, "process_max_fds")) >= 64)
        let started = try #require(Exposition.value(text, "process_start_time_seconds"))
        #expect(started <= Date().timeIntervalSince1970 && started > Date().timeIntervalSince1970 - 86_400 * 30)
        #expect(Exposition.value(text, "process_cpu_seconds_total").map { $0 > 0 } == true)
        #expect(try #require(Exposition.value(text, "fileflow_open_connections", ["direction": "inbound"])) >= 1)
        #expect(try #require(Exposition.value(text, "fileflow_open_connections", ["direction": "outbound"])) >= 1)
        #expect(try promtoolAccepts(text))
    }

    @Test func diskAndReporterMonitors() throws {
        let metrics = PrometheusMetrics(processMetrics: false)
        metrics.monitorDisk(path: FileManager.default.temporaryDirectory.path)
        metrics.monitorDisk(path: "/nonexistent/\(UUID())")  // unreadable: no sample, no failure
        var configuration = ZipkinReporter.Configuration(traceFile: Support.temporaryPath("spans.jsonl"))
        configuration.queueCapacity = 1
        let reporter = try ZipkinReporter(configuration: configuration)
        metrics.monitor(reporter)
        let tracer = ZipkinTracer(serviceName: "test", reporter: reporter)
        for _ in 0..<3 { tracer.startSpan("x", context: .topLevel).end() }
        reporter.shutdown(timeout: 10)

        let text = metrics.render()
        let size = try #require(Exposition.value(text, "fileflow_disk_size_bytes"))
        let free = try #require(Exposition.value(text, "fileflow_disk_free_bytes"))
        #expect(size > 0 && free <= size)
        let statistics = reporter.statistics
        #expect(statistics.written + statistics.dropped == 3)
        let spans = "fileflow_trace_spans_total"
        #expect(Exposition.value(text, spans, ["outcome": "written"]) == Double(statistics.written))
        #expect(Exposition.value(text, spans, ["outcome": "dropped"]) == Double(statistics.dropped))
        // Rendering again adds nothing that did not happen.
        #expect(Exposition.value(metrics.render(), "fileflow_trace_spans_total", ["outcome": "written"])
            == Double(statistics.written))
    }

    @Test func everyCatalogueNameIsValidAndUnique() {
        let names = MetricName.all.map(\.name)
        #expect(Set(names).count == names.count)
        for metric in MetricName.all {
            #expect(metric.name.allSatisfy { $0.isLowercase || $0 == "_" }, "\(metric.name)")
            #expect(!metric.help.isEmpty)
        }
    }

    func promtoolAccepts(_ text: String) throws -> Bool {
        let result = try Support.run(["promtool", "check", "metrics"], input: text)
        #expect(result.status == 0, "\(result.output)\n\(text)")
        return result.status == 0
    }
}

@Suite struct ProcSelfTests {
    @Test func statmGivesResidentPages() {
        #expect(ProcSelf.residentBytes(statm: "5000 1200 300 10 0 900 0\n", pageSize: 4096) == 1200 * 4096)
        #expect(ProcSelf.residentBytes(statm: "5000", pageSize: 4096) == nil)
        #expect(ProcSelf.residentBytes(statm: "", pageSize: 4096) == nil)
    }

    @Test func statSurvivesACommandNameWithSpacesAndParentheses() {
        let fields = "S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0 4 0 1000 1234 56"
        let stat = ProcSelf.parseStat(
            "42 (evil) name (x)) \(fields)\n", systemStat: "cpu 1 2 3\nbtime 1700000000\nprocesses 9\n",
            ticksPerSecond: 100)
        #expect(stat == ProcSelf.Stat(cpuSeconds: 4, startTime: 1_700_000_010))
        #expect(ProcSelf.parseStat("42 (short) S 1 2", systemStat: "btime 1", ticksPerSecond: 100) == nil)
        #expect(ProcSelf.parseStat("42 (x) \(fields)", systemStat: "no boot time", ticksPerSecond: 100) == nil)
    }

    @Test func tcpTableSplitsInboundFromOutbound() {
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
        let table = """
            \(header)
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 100 1 0
               1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 101 1 0
               2: 0100007F:C351 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 102 1 0
               3: 0100007F:C352 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0
               4: 0100007F:C353 0100007F:0050 06 00000000:00000000 00:00000000 00000000  1000        0 103 1 0
               5: garbage
            """
        let ipv6 = """
            \(header)
               0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D000 01 0:0 0:0 0 1000 0 104 1
            """
        let counts = ProcSelf.tcpConnections(tables: [table, ipv6], socketInodes: [100, 101, 102, 103, 104])
        #expect(counts.inbound == 2)  // 101 and the IPv6 104 were accepted on port 0x1F90, which 100 listens on
        #expect(counts.outbound == 1)  // 102; 999 is another process's, 103 is in TIME_WAIT
        #expect(ProcSelf.socketInode("socket:[12345]") == 12345)
        #expect(ProcSelf.socketInode("pipe:[12345]") == nil)
        #expect(ProcSelf.socketInode("socket:[x]") == nil)
    }
}
