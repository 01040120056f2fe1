/// Whole-system figures for the admin dashboard.
public struct SystemStatsRecord: Sendable, Hashable, Codable {
    public var users: Int64
    /// Files not in the trash.
    public var files: Int64
    public var trashedFiles: Int64
    /// Unique (content-addressed) blocks.
    public var blocks: Int64
    /// What the block store holds for them: the compressed size of compressed blocks, the plain size of others.
    public var storageBytes: Int64
    public var uncompressedBytes: Int64
    /// Processing jobs queued (1) or running (2).
    public var jobsPending: Int64
    /// Outbox rows not yet published.
    public var outboxPending: Int64
}

extension FileFlowStore {
    /// The figures in one statement, so they come from one snapshot. Exact counts: each table is scanned once
    /// (the unsent outbox through its partial index), which suits an on-demand admin view, not a hot path.
    public func systemStats() async throws -> SystemStatsRecord {
        let row = try await database.query(
            """
            SELECT u.count, f.live, f.trashed, b.count, b.stored, b.plain, j.count, o.count
            FROM (SELECT count(*) FROM users) AS u,
                 (SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live,
                         count(*) FILTER (WHERE deleted_at IS NOT NULL) AS trashed FROM files) AS f,
                 (SELECT count(*), coalesce(sum(CASE WHEN compression = 0 THEN size ELSE stored_size END), 0)::int8
                             AS stored,
                         coalesce(sum(size), 0)::int8 AS plain FROM blocks) AS b,
                 (SELECT count(*) FROM jobs WHERE state IN (1, 2)) AS j,
                 (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS o
            """
        ).first!
        return SystemStatsRecord(
            users: try row.int(0), files: try row.int(1), trashedFiles: try row.int(2), blocks: try row.int(3),
            storageBytes: try row.int(4), uncompressedBytes: try row.int(5), jobsPending: try row.int(6),
            outboxPending: try row.int(7))
    }
}
