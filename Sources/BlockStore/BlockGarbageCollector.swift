import PostgresStore

/// Frees blocks no file version references, cooperating with Postgres's reference counts.
///
/// Order matters: the block's row is deleted first, and only when it is still unreferenced, inside Postgres;
/// only then are its bytes removed — and not if the block was re-put within the grace period, since an upload
/// that found it (dedup) may be about to commit a version referencing it (the commit re-creates the row).
public struct BlockGarbageCollector: Sendable {
    let store: FileFlowStore
    let blocks: any BlockStorage
    let graceSeconds: Int

    public init(store: FileFlowStore, blocks: any BlockStorage, graceSeconds: Int = 3600) {
        self.store = store
        self.blocks = blocks
        self.graceSeconds = graceSeconds
    }

    /// A block whose bytes were deleted.
    public struct Collected: Sendable, Hashable {
        public let digest: BlockDigest
        public let size: Int
    }

    /// Collects up to `limit` garbage blocks; returns those whose bytes were deleted.
    public func collect(limit: Int = 1000) async throws -> [Collected] {
        var deleted: [Collected] = []
        for sha256 in try await store.unreferencedBlocks(graceMicros: Int64(graceSeconds) * 1_000_000, limit: limit) {
            let digest = try BlockDigest(bytes: sha256)
            guard let size = try await store.forgetBlockIfUnreferenced(sha256) else { continue }
            if try await blocks.remove(digest, unlessTouchedWithin: graceSeconds) {
                deleted.append(Collected(digest: digest, size: size))
            }
        }
        return deleted
    }
}
