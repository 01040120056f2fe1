/// Block buffers an upload fills, stores and then fills again. A buffer kept allocated is not faulted in and zeroed
/// by the kernel page by page for every block, as a fresh 4 MiB allocation (which malloc maps anew) is. Used by one
/// upload's task only; it holds no more buffers than that upload had in flight at once.
final class BlockBufferPool {
    private var spares: [[UInt8]] = []

    /// An empty buffer with room for at least `capacity` bytes.
    func take(capacity: Int) -> [UInt8] {
        if let spare = spares.popLast(), spare.capacity >= capacity { return spare }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(capacity)
        return fresh
    }

    /// Keeps `buffer`'s memory for a later `take` and leaves the caller's variable empty; taken `inout` so that the
    /// pool holds the only reference and emptying it does not copy.
    func recycle(_ buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        spares.append(buffer)
        buffer = []
    }
}
