/// One metric FileFlow exports: its Prometheus name and the `# HELP` line `/metrics` gives it.
///
/// Every name any module records lives here, so dashboards, alert rules and the modules agree on one spelling.
/// Modules that cannot import Telemetry (EventBus, MetadataCache) record the same strings through swift-metrics;
/// Tests/python/telemetry checks that every `fileflow_*` name in Sources/ is declared in this file.
public struct MetricName: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let help: String

    init(_ name: String, _ help: String) {
        self.name = name
        self.help = help
    }

    public var description: String { name }
}

extension MetricName {
    // RPC (labels: service = the RPC service, e.g. fileflow.v1.MetadataService; method; code = gRPC status name).
    public static let rpcServerRequests = MetricName(
        "fileflow_rpc_server_requests_total", "RPCs served, by RPC service, method and status code.")
    public static let rpcServerDuration = MetricName(
        "fileflow_rpc_server_duration_seconds", "Time from receiving an RPC to sending its status.")
    public static let rpcServerInFlight = MetricName(
        "fileflow_rpc_server_in_flight", "RPCs being served now, by RPC service and method.")
    public static let rpcClientRequests = MetricName(
        "fileflow_rpc_client_requests_total", "RPCs made to other services, by RPC service, method and status code.")
    public static let rpcClientDuration = MetricName(
        "fileflow_rpc_client_duration_seconds", "Time from starting an RPC to receiving its status.")

    // HTTP at the gateway (labels: route = the route pattern, never the raw path; method; status).
    public static let httpRequests = MetricName(
        "fileflow_http_requests_total", "HTTP requests answered, by route pattern, method and status.")
    public static let httpRequestDuration = MetricName(
        "fileflow_http_request_duration_seconds", "Time to an HTTP response's head, by route pattern and method.")
    public static let uploads = MetricName("fileflow_uploads_total", "Uploads committed through the gateway.")

    // Kafka (labels: topic; group for consumers; partition for lag).
    public static let kafkaProduced = MetricName(
        "fileflow_kafka_produced_total", "Kafka messages the broker acknowledged, by topic.")
    public static let kafkaProduceErrors = MetricName(
        "fileflow_kafka_produce_errors_total", "Kafka messages that could not be delivered, by topic.")
    public static let kafkaConsumed = MetricName(
        "fileflow_kafka_consumed_total", "Kafka messages handled and committed, by topic and consumer group.")
    public static let kafkaConsumeErrors = MetricName(
        "fileflow_kafka_consume_errors_total",
        "Failed attempts to handle a Kafka message, by topic and consumer group.")
    public static let kafkaDeadLettered = MetricName(
        "fileflow_kafka_dead_lettered_total", "Kafka messages parked in <topic>.dlq after their last failed attempt.")
    public static let kafkaConsumerLag = MetricName(
        "fileflow_kafka_consumer_lag",
        "Messages behind the high watermark after the last commit, by topic, consumer group and partition.")

    // Metadata cache (label: cache).
    public static let cacheHits = MetricName("fileflow_cache_hits_total", "Cache lookups answered from Redis.")
    public static let cacheMisses = MetricName(
        "fileflow_cache_misses_total", "Cache lookups that went to Postgres and filled the cache.")
    public static let cacheErrors = MetricName(
        "fileflow_cache_errors_total", "Redis failures; the lookup was answered from Postgres instead.")

    // Data plane.
    public static let searchDuration = MetricName(
        "fileflow_search_duration_seconds", "Time to answer one search query.")
    public static let bytesUploaded = MetricName("fileflow_bytes_uploaded_total", "File content bytes received.")
    public static let bytesDownloaded = MetricName("fileflow_bytes_downloaded_total", "File content bytes sent.")

    // The process, read from /proc/self at each scrape.
    public static let residentMemory = MetricName("process_resident_memory_bytes", "Resident memory size in bytes.")
    public static let openFDs = MetricName("process_open_fds", "Number of open file descriptors.")
    public static let maxFDs = MetricName("process_max_fds", "Maximum number of open file descriptors.")
    public static let cpuSeconds = MetricName(
        "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
    public static let startTime = MetricName(
        "process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.")
    public static let openConnections = MetricName(
        "fileflow_open_connections",
        "Established TCP connections of this process; inbound ones were accepted on a port it listens on.")
    public static let diskFree = MetricName(
        "fileflow_disk_free_bytes", "Bytes available to the process on the file system holding the data directory.")
    public static let diskSize = MetricName(
        "fileflow_disk_size_bytes", "Size in bytes of the file system holding the data directory.")

    // Tracing itself (label: outcome = posted, written, dropped or failed).
    public static let traceSpans = MetricName(
        "fileflow_trace_spans_total", "Finished spans by what became of them: posted, written, dropped or failed.")

    /// Every metric above, so a HELP line can be found by name.
    public static let all: [MetricName] = [
        rpcServerRequests, rpcServerDuration, rpcServerInFlight, rpcClientRequests, rpcClientDuration,
        httpRequests, httpRequestDuration, uploads,
        kafkaProduced, kafkaProduceErrors, kafkaConsumed, kafkaConsumeErrors, kafkaDeadLettered, kafkaConsumerLag,
        cacheHits, cacheMisses, cacheErrors,
        searchDuration, bytesUploaded, bytesDownloaded,
        residentMemory, openFDs, maxFDs, cpuSeconds, startTime, openConnections, diskFree, diskSize,
        traceSpans,
    ]

    private static let helpByName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })

    /// The HELP text of `name`; a metric some library registers on its own still gets one (promtool insists).
    static func help(for name: String) -> String {
        helpByName[name] ?? "\(name) (not in FileFlow's catalogue)"
    }
}
