internal import Metrics
internal import Telemetry
internal import Synchronization

/// The gateway's own counters: exported through swift-metrics (Prometheus at `/metrics`), and kept in-process for
/// `/api/v1/admin/metrics` (uploads, bytes, error rate since start).
final class GatewayStatistics: Sendable {
    private struct Totals {
        var requests = 0
        var serverErrors = 0
        var uploads = 0
        var bytesUploaded: UInt64 = 0
        var bytesDownloaded: UInt64 = 0
    }

    private let totals = Mutex(Totals())
    private let uploadedCounter = Counter(label: MetricName.bytesUploaded.name)
    private let downloadedCounter = Counter(label: MetricName.bytesDownloaded.name)
    private let uploadsCounter = Counter(label: MetricName.uploads.name)

    func request(route: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: MetricName.httpRequests.name, dimensions: dimensions).increment()
        Metrics.Timer(label: MetricName.httpRequestDuration.name, dimensions: [("route", route), ("method", method)])
            .record(duration: duration)
        totals.withLock {
            $0.requests += 1
            if status >= 500 { $0.serverErrors += 1 }
        }
    }

    func uploaded(bytes: Int) {
        uploadedCounter.increment(by: bytes)
        totals.withLock { $0.bytesUploaded += UInt64(bytes) }
    }

    func downloaded(bytes: Int) {
        downloadedCounter.increment(by: bytes)
        totals.withLock { $0.bytesDownloaded += UInt64(bytes) }
    }

    func uploadCommitted() {
        uploadsCounter.increment()
        totals.withLock { $0.uploads += 1 }
    }

    struct Snapshot: Sendable {
        var requests: Int
        var serverErrors: Int
        var uploads: Int
        var bytesUploaded: UInt64
        var bytesDownloaded: UInt64
    }

    var snapshot: Snapshot {
        totals.withLock {
            Snapshot(requests: $0.requests, serverErrors: $0.serverErrors, uploads: $0.uploads,
                     bytesUploaded: $0.bytesUploaded, bytesDownloaded: $0.bytesDownloaded)
        }
    }
}
