public import CoreMetrics
import Prometheus
import Synchronization

/// One process's metrics: swift-metrics records into a Prometheus registry, and `/metrics` renders it.
///
/// Bootstrap `MetricsSystem` with `factory` once per process; code that is handed the factory (the RPC
/// interceptors, tests) records into this registry without touching the global one. Values that are read rather
/// than recorded (memory, descriptors, disk, the span reporter's counters) are refreshed at each `render()`.
public final class PrometheusMetrics: Sendable {
    public let factory: any MetricsFactory
    private let registry: PrometheusCollectorRegistry
    private let collectors = Mutex<[@Sendable () -> Void]>([])

    /// `processMetrics` adds the `process_*` gauges and `fileflow_open_connections`, read from /proc/self.
    public init(processMetrics: Bool = true) {
        registry = PrometheusCollectorRegistry()
        factory = CataloguedMetricsFactory(registry: registry)
        if processMetrics {
            let process = ProcessMetrics(factory: factory)
            addCollector { process.collect() }
        }
    }

    /// Runs `collect` before each rendering, for values read on demand.
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// Exports free and total bytes of the file system holding `path` (the data directory), for the disk alert.
    public func monitorDisk(path: String) {
        let factory = self.factory
        addCollector {
            // Made on the first success, so a directory that does not exist (yet) exports nothing, not zeros.
            guard let usage = ProcSelf.diskUsage(path: path) else { return }
            let labels = [("path", path)]
            CoreMetrics.Gauge(label: MetricName.diskFree.name, dimensions: labels, factory: factory).record(usage.free)
            CoreMetrics.Gauge(label: MetricName.diskSize.name, dimensions: labels, factory: factory).record(usage.size)
        }
    }

    /// Exports what became of the spans `reporter` was given (`fileflow_trace_spans_total{outcome}`).
    public func monitor(_ reporter: ZipkinReporter) {
        let counters = ["posted", "written", "dropped", "failed"].map { outcome in
            CoreMetrics.Counter(label: MetricName.traceSpans.name, dimensions: [("outcome", outcome)], factory: factory)
        }
        let reported = Mutex([0, 0, 0, 0])
        addCollector {
            let statistics = reporter.statistics
            let now = [statistics.posted, statistics.written, statistics.dropped, statistics.postFailures]
            let before = reported.withLock { reported in
                defer { reported = now }
                return reported
            }
            for (counter, (current, previous)) in zip(counters, zip(now, before)) where current > previous {
                counter.increment(by: current - previous)
            }
        }
    }

    /// The Prometheus text format (0.0.4) of every metric recorded so far.
    public func render() -> String {
        for collect in collectors.withLock({ $0 }) { collect() }
        return registry.emitToString()
    }
}
