/// Where blocks live, by content address. `FileBlockStore` keeps them on a local disk; an S3-style backend can
/// implement the same calls (PUT-if-absent, ranged GET, DELETE), since nothing here assumes a file system.
public protocol BlockStorage: Sendable {
    /// Stores `bytes` under their SHA-256 unless a block with that digest exists (dedup). Durable on return.
    func put(_ bytes: [UInt8]) async throws -> BlockPutResult

    func contains(_ digest: BlockDigest) async throws -> Bool

    /// The block's bytes in `range` (the whole block when `nil`), after verifying the whole block's digest.
    func read(_ digest: BlockDigest, range: Range<Int>?) async throws -> [UInt8]

    /// Stores a block compressed (zlib) when that saves at least 10%; returns the stored size, nil when the block is
    /// kept as it is. Readers see the same bytes either way, verified against the same digest.
    func compress(_ digest: BlockDigest) async throws -> Int?

    /// Deletes a block unless it was written or re-put within `graceSeconds` (a racing upload may want it);
    /// returns whether it was deleted. Callers decide *which* blocks are garbage (see `BlockGarbageCollector`).
    func remove(_ digest: BlockDigest, unlessTouchedWithin graceSeconds: Int) async throws -> Bool
}

/// What `put` did.
public struct BlockPutResult: Sendable, Hashable {
    public let digest: BlockDigest
    public let size: Int
    /// `false` when the block was already stored and nothing was written.
    public let written: Bool
}

extension BlockStorage {
    /// Streams `range` of a block in chunks of at most `chunkSize` bytes, verifying the block before the first
    /// chunk leaves, so a corrupt block yields an error and never a byte of bad data.
    public func stream(_ digest: BlockDigest, range: Range<Int>? = nil, chunkSize: Int = 64 * 1024)
        -> AsyncThrowingStream<ArraySlice<UInt8>, Error>
    {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let bytes = try await read(digest, range: range)
                    var start = 0
                    while start < bytes.count {
                        try Task.checkCancellation()
                        let end = min(bytes.count, start + max(1, chunkSize))
                        continuation.yield(bytes[start..<end])
                        start = end
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
