import Synchronization

/// Hit, miss and error counters for `/metrics` (`fileflow_cache_hits_total` and friends).
public final class CacheStatistics: Sendable {
    private let counters = Mutex<(hits: Int, misses: Int, errors: Int, bypasses: Int)>((0, 0, 0, 0))

    /// Lookups answered from Redis.
    public var hits: Int { counters.withLock { $0.hits } }
    /// Lookups that went to Postgres and filled the cache.
    public var misses: Int { counters.withLock { $0.misses } }
    /// Redis failures (the lookup was then answered from Postgres).
    public var errors: Int { counters.withLock { $0.errors } }
    /// Lookups that skipped Redis because an invalidation could not be delivered yet.
    public var bypasses: Int { counters.withLock { $0.bypasses } }

    func hit() { counters.withLock { $0.hits += 1 } }
    func miss() { counters.withLock { $0.misses += 1 } }
    func error() { counters.withLock { $0.errors += 1 } }
    func bypass() { counters.withLock { $0.bypasses += 1 } }
}
