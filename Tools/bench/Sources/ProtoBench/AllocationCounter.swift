import MallocInterposerSwift

/// Counts heap allocations with ordo-one/malloc-interposer.
///
/// It counts only the calls that reach its `malloc`, that is when its library comes before libc in symbol lookup.
/// `LD_PRELOAD` guarantees that (`proto/run.sh` sets it); linking alone happens to as well on Linux today, because
/// the library is a direct dependency listed before libc, but nothing promises it. `isActive` checks, so that the
/// report never shows a false 0.
enum AllocationCounter {
    /// Whether allocations are really being counted: one known allocation must show up.
    static let isActive: Bool = {
        let allocations = count(iterations: 1) { _ in
            blackHole([UInt8](repeating: 1, count: opaque(64)))
        }
        return allocations >= 1
    }()

    /// Mean `malloc`-family calls (malloc, calloc, realloc that grows, aligned allocs) per iteration of `body`.
    static func count(iterations: Int, _ body: (Int) -> Void) -> Double {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        body(iterations)
        MallocInterposerSwift.unhook()
        return Double(MallocInterposerSwift.getStatistics().mallocCount) / Double(iterations)
    }
}
