/// What the search index holds about one file, read from the system of record: the index is a projection of
/// these rows, so any of them can be re-read and re-applied at any time (redelivered or reordered events are
/// harmless, and a lost index is rebuilt from here).
public struct SearchDocumentRecord: Sendable, Hashable {
    public var fileID: String
    public var ownerID: String
    public var name: String
    public var extractedText: String
    public var detectedType: String
    /// Users the file is shared with (any permission): they may find it.
    public var readerIDs: [String]
    public var createdAtMicros: Int64
    public var updatedAtMicros: Int64
    /// Set while the file is in the trash: it must not be found then.
    public var deletedAtMicros: Int64?
}

/// A search hit the caller may still see, loaded for the response.
public struct VisibleSearchHit: Sendable, Hashable {
    public var file: FileRecord
    /// The caller's permission: 3 owner, 2 write, 1 read.
    public var permission: Int
    /// The start of the file's extracted text, for the snippet.
    public var textPrefix: String
}

extension FileFlowStore {
    /// The search documents of these files (UUIDs), trashed ones included; files that are gone are left out.
    /// Looked up by primary key from a JSON list of ids (see `wantedFileIDs`).
    public func searchDocuments(fileIDs: [String]) async throws -> [SearchDocumentRecord] {
        guard !fileIDs.isEmpty else { return [] }
        return try await database.query(
            """
            SELECT \(Self.searchDocumentColumns) FROM \(Self.wantedFileIDs)
            CROSS JOIN LATERAL (SELECT * FROM files WHERE file_id = wanted.file_id LIMIT 1) f
            """,
            [.text(Self.uuidList(fileIDs))]
        ).rows.map(Self.searchDocument)
    }

    /// Search documents in file id order after `afterID`, `limit` at a time: every live file, or with
    /// `changedSince` every file changed (or newly shared) since then, trashed ones included so they leave the index.
    public func searchDocuments(after afterID: String?, limit: Int, changedSince: Int64? = nil) async throws
        -> [SearchDocumentRecord]
    {
        try await database.query(
            """
            SELECT \(Self.searchDocumentColumns) FROM files f
            WHERE ($1::uuid IS NULL OR f.file_id > $1::uuid)
              AND CASE WHEN $3::int8 IS NULL THEN f.deleted_at IS NULL
                  ELSE f.updated_at >= to_timestamp($3::int8::float8 / 1000000)
                    OR EXISTS (SELECT 1 FROM shares s WHERE s.file_id = f.file_id
                               AND s.created_at >= to_timestamp($3::int8::float8 / 1000000)) END
            ORDER BY f.file_id LIMIT $2
            """,
            [.text(afterID), .int(max(1, min(limit, 1000))), changedSince.map { .int($0) } ?? .null]
        ).rows.map(Self.searchDocument)
    }

    /// Whether any live file exists, and the newest change the index could have seen (file update or share),
    /// so a search service can tell an empty or stale index from an empty system.
    public func searchHighWater() async throws -> (hasLiveFiles: Bool, newestChangeMicros: Int64?) {
        let row = try await database.query(
            """
            SELECT EXISTS (SELECT 1 FROM files WHERE deleted_at IS NULL),
                   \(micros("greatest((SELECT max(updated_at) FROM files), (SELECT max(created_at) FROM shares))"))
            """
        ).first!
        return (try row.bool(0), try row.optionalInt(1))
    }

    /// Of `fileIDs` (UUIDs), the live files `userID` may read, with their permission and up to `textCharacters`
    /// of extracted text, in no particular order; files that are gone or not visible are left out.
    ///
    /// Each id is looked up by primary key (a lateral subquery the planner cannot merge away). With
    /// `file_id = ANY($1)` instead, a table whose statistics are stale (a new deployment's, before autovacuum
    /// analyzed it) was read whole through the live-files index: 0.6 ms at 4,000 files and growing, where the
    /// lookups take 0.08. The ids come as a JSON list (`wantedFileIDs`).
    public func visibleSearchHits(fileIDs: [String], userID: String, textCharacters: Int) async throws
        -> [VisibleSearchHit]
    {
        guard !fileIDs.isEmpty else { return [] }
        return try await database.query(
            """
            SELECT \(Self.fileColumns), CASE WHEN f.owner_id = $2::uuid THEN 3 ELSE s.permission END,
                left(f.extracted_text, $3)
            FROM \(Self.wantedFileIDs)
            CROSS JOIN LATERAL (SELECT * FROM files WHERE file_id = wanted.file_id AND deleted_at IS NULL LIMIT 1) f
            \(Self.fileJoins)
            LEFT JOIN shares s ON s.file_id = f.file_id AND s.user_id = $2::uuid
            WHERE f.owner_id = $2::uuid OR s.user_id IS NOT NULL
            """,
            [.text(Self.uuidList(fileIDs)), .text(userID), .int(textCharacters)]
        ).rows.map {
            VisibleSearchHit(file: try Self.file($0), permission: Int(try $0.int(Self.fileColumnCount)),
                             textPrefix: try $0.string(Self.fileColumnCount + 1))
        }
    }

    /// The distinct file ids of a JSON list in `$1`, as `wanted(file_id)`.
    ///
    /// Why JSON and not `uuid[]`: Postgres plans a prepared statement afresh for each run while a plan for the
    /// values at hand looks cheaper than the generic plan, and it sees the length of a `uuid[]` value (1 or 2 ids
    /// here, against the 10 it assumes without it), so a statement looking up a few ids was planned on every run:
    /// 0.4 ms of the server's CPU for the search hits' six-table join, far more than running it. The rows of
    /// `json_array_elements_text` are estimated alike with and without the value, so the generic plan is kept.
    static let wantedFileIDs =
        "(SELECT DISTINCT value::uuid FROM json_array_elements_text($1::json)) AS wanted(file_id)"

    /// A JSON list of ids for `wantedFileIDs`; callers pass ids already checked to be UUIDs (no escaping needed).
    static func uuidList(_ ids: [String]) -> String { "[\"" + ids.joined(separator: "\",\"") + "\"]" }

    static let searchDocumentColumns = """
        f.file_id, f.owner_id, f.name, f.extracted_text, f.detected_type, \(micros("f.created_at")),
        \(micros("f.updated_at")), \(micros("f.deleted_at")),
        (SELECT coalesce(string_agg(s.user_id::text, ','), '') FROM shares s WHERE s.file_id = f.file_id)
        """

    static func searchDocument(_ row: PostgresRow) throws -> SearchDocumentRecord {
        SearchDocumentRecord(
            fileID: try row.string(0), ownerID: try row.string(1), name: try row.string(2),
            extractedText: try row.string(3), detectedType: try row.string(4),
            readerIDs: try row.string(8).split(separator: ",").map(String.init), createdAtMicros: try row.int(5),
            updatedAtMicros: try row.int(6), deletedAtMicros: try row.optionalInt(7))
    }
}
