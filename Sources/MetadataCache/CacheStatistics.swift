import Metrics
import Synchronization

/// Hit, miss and error counters, kept here for tests and recorded through swift-metrics for `/metrics`
/// (`fileflow_cache_hits_total`, `fileflow_cache_misses_total`, `fileflow_cache_errors_total`, label `cache`;
/// the names are catalogued in Telemetry's `MetricName`).
public final class CacheStatistics: Sendable {
    private let counters = Mutex<(hits: Int, misses: Int, errors: Int, bypasses: Int)>((0, 0, 0, 0))
    private let exported: (hits: Counter, misses: Counter, errors: Counter)

    /// Made with the cache, after the process bootstrapped its metrics; `cache` names it in the label.
    init(cache: String = "metadata") {
        let label = [("cache", cache)]
        exported = (
            Counter(label: "fileflow_cache_hits_total", dimensions: label),
            Counter(label: "fileflow_cache_misses_total", dimensions: label),
            Counter(label: "fileflow_cache_errors_total", dimensions: label)
        )
    }

    /// Lookups answered from Redis.
    public var hits: Int { counters.withLock { $0.hits } }
    /// Lookups that went to Postgres and filled the cache.
    public var misses: Int { counters.withLock { $0.misses } }
    /// Redis failures (the lookup was then answered from Postgres).
    public var errors: Int { counters.withLock { $0.errors } }
    /// Lookups that skipped Redis because an invalidation could not be delivered yet.
    public var bypasses: Int { counters.withLock { $0.bypasses } }

    func hit() {
        counters.withLock { $0.hits += 1 }
        exported.hits.increment()
    }

    func miss() {
        counters.withLock { $0.misses += 1 }
        exported.misses.increment()
    }

    func error() {
        counters.withLock { $0.errors += 1 }
        exported.errors.increment()
    }

    func bypass() { counters.withLock { $0.bypasses += 1 } }
}
