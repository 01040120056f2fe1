extension FileFlowStore {
    /// Blocks no version has referenced for at least `graceMicros`: garbage-collection candidates.
    ///
    /// The grace period covers the window between an upload writing (or finding) a block in the block store and
    /// committing the version that references it.
    public func unreferencedBlocks(graceMicros: Int64, limit: Int) async throws -> [[UInt8]] {
        try await database.query(
            """
            SELECT sha256 FROM blocks
            WHERE refcount = 0 AND unreferenced_since < now() - make_interval(secs => $1::float8 / 1000000)
            ORDER BY unreferenced_since LIMIT $2
            """,
            [.int(graceMicros), .int(limit)]
        ).rows.map { try $0.bytes(0) }
    }

    /// Deletes a block's row when it is still unreferenced and returns its size: the caller may now delete its
    /// bytes. A concurrent commit that re-referenced the block wins: the row stays and `nil` is returned.
    public func forgetBlockIfUnreferenced(_ sha256: [UInt8]) async throws -> Int? {
        try await database.transaction { session in
            try await session.query(
                """
                DELETE FROM blocks WHERE sha256 = $1 AND refcount = 0
                RETURNING CASE WHEN compression = 0 THEN size ELSE stored_size END
                """,
                [.bytea(sha256)]
            ).first.map { row in Int(try row.int(0)) }
        }
    }

    /// A block's reference count; `nil` when the block is unknown.
    public func blockReferenceCount(_ sha256: [UInt8]) async throws -> Int64? {
        try await database.query("SELECT refcount FROM blocks WHERE sha256 = $1", [.bytea(sha256)]).first?.int(0)
    }

    /// Records that a block is stored compressed (`compression` 1: zlib) in `storedSize` bytes.
    public func setBlockCompression(_ sha256: [UInt8], compression: Int, storedSize: Int) async throws {
        try await database.query(
            "UPDATE blocks SET compression = $2, stored_size = $3 WHERE sha256 = $1",
            [.bytea(sha256), .int(Int64(compression)), .int(Int64(storedSize))])
    }
}
