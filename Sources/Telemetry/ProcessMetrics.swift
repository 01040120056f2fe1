import CoreMetrics
import Synchronization

/// The process gauges every Prometheus client library exports (`process_*`), plus FileFlow's established TCP
/// connections, read from /proc/self when `/metrics` is scraped. A value that cannot be read is left as it was.
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    private let cpuSeconds: FloatingPointCounter
    private let inbound: Gauge
    private let outbound: Gauge
    /// CPU seconds already added to the counter, which only moves by increments.
    private let cpuReported = Mutex<Double>(0)

    init(factory: any MetricsFactory) {
        func gauge(_ metric: MetricName, _ dimensions: [(String, String)] = []) -> Gauge {
            Gauge(label: metric.name, dimensions: dimensions, factory: factory)
        }
        residentMemory = gauge(.residentMemory)
        openFDs = gauge(.openFDs)
        maxFDs = gauge(.maxFDs)
        startTime = gauge(.startTime)
        inbound = gauge(.openConnections, [("direction", "inbound")])
        outbound = gauge(.openConnections, [("direction", "outbound")])
        cpuSeconds = FloatingPointCounter(label: MetricName.cpuSeconds.name, factory: factory)
    }

    func collect() {
        if let bytes = ProcSelf.residentBytes() { residentMemory.record(bytes) }
        if let limit = ProcSelf.maxFileDescriptors() { maxFDs.record(limit) }
        if let stat = ProcSelf.stat() {
            startTime.record(stat.startTime)
            let delta = cpuReported.withLock { reported in
                defer { reported = max(reported, stat.cpuSeconds) }
                return stat.cpuSeconds - reported
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
        let descriptors = ProcSelf.fileDescriptors()
        openFDs.record(descriptors.count)
        let connections = ProcSelf.tcpConnections(socketInodes: descriptors.socketInodes)
        inbound.record(connections.inbound)
        outbound.record(connections.outbound)
    }
}
