#if canImport(Glibc)
import Glibc

/// glibc keeps up to 7 freed blocks of each small size per thread, for reuse without a lock. A server with a
/// hundred calls in flight on an event loop frees far more than that between reuses (each call's task alone frees
/// about five 1 KiB slabs of async frames), so most blocks went through the arena's locked, coalescing path: about
/// a tenth of a unary RPC's CPU. glibc reads its tunables only as a process starts, so `fileflow` starts itself
/// again, once, with a larger per-thread cache, unless `GLIBC_TUNABLES` already sets one (to keep glibc's default,
/// set `glibc.malloc.tcache_count=7`).
enum MallocTuning {
    static let tunable = "glibc.malloc.tcache_count"
    /// Measured against 7 and 1,000 on the RPC benchmark: 200 gave the least CPU per call.
    static let cacheCount = 200

    /// Returns only when the process should carry on as it is: already tuned, or the restart was refused.
    static func restartTunedIfNeeded() {
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        guard !current.contains(tunable) else { return }
        let setting = "\(tunable)=\(cacheCount)"
        setenv("GLIBC_TUNABLES", current.isEmpty ? setting : current + ":" + setting, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here (no /proc, or exec not allowed): run with glibc's defaults rather than not at all.
    }
}
#endif
