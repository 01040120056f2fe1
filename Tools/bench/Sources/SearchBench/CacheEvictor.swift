/// Writes one byte per cache line of a buffer larger than the last-level cache, so the next query starts cold.
///
/// Warm reruns of a query hide the cache misses that set the p50 of a full run (each query's postings were last
/// touched a thousand queries ago), so builds compared that way can differ by what they cost warm alone.
final class CacheEvictor {
    private let bytes: UnsafeMutableRawBufferPointer

    init(megabytes: Int) {
        bytes = .allocate(byteCount: megabytes << 20, alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        bytes.deallocate()
    }

    func evict() {
        for offset in stride(from: 0, to: bytes.count, by: 64) { bytes[offset] &+= 1 }
    }
}
