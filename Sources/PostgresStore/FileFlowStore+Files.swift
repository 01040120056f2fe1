/// What `commitFile` records: a new file, or a new version of an existing one.
public struct NewFileVersion: Sendable {
    public var fileID: String
    public var ownerID: String
    public var name: String
    public var contentType: String
    public var size: Int64
    public var sha256: [UInt8]
    /// In file order; each block's bytes must already be in the block store.
    public var blocks: [BlockRecord]
    /// The file's labels from now on; nil keeps what a new version's file had (none for a new file).
    public var labels: [String: String]?
    /// The version goes to the owner's live file of the same name (the oldest, when there are several) if there is
    /// one, and `fileID` is the id of a new file only otherwise: uploads replace by name.
    public var addsToSameNamedFile: Bool

    public init(
        fileID: String, ownerID: String, name: String, contentType: String, size: Int64, sha256: [UInt8],
        blocks: [BlockRecord], labels: [String: String]? = nil, addsToSameNamedFile: Bool = false
    ) {
        self.fileID = fileID
        self.ownerID = ownerID
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.blocks = blocks
        self.labels = labels
        self.addsToSameNamedFile = addsToSameNamedFile
    }
}

extension FileFlowStore {
    /// Records a file version, its block list, the blocks' reference counts, the owner's quota use, the outbox
    /// rows announcing it and its queued processing job — all in one transaction, so the event exists if and only
    /// if the file does. `events` is given the id of the file the version went to and the version's number.
    ///
    /// A `fileID` that exists under another owner fails with `notFound` (ids leak nothing).
    public func commitFile(
        _ version: NewFileVersion,
        events: @escaping @Sendable (_ fileID: String, _ version: Int) -> [OutboxMessage] = { _, _ in [] }
    ) async throws -> FileRecord {
        try Self.requireLength(version.name, "file name", max: Limits.nameBytes)
        try Self.requireLength(version.contentType, "content type", max: 255, allowEmpty: true)
        guard version.sha256.count == 32, version.blocks.allSatisfy({ $0.sha256.count == 32 }) else {
            throw PostgresError(.invalidParameter, "SHA-256 digests are 32 bytes")
        }
        if let labels = version.labels { try FileLabels.validate(labels) }
        let labels = try version.labels.map(FileLabels.json)
        return try await database.transaction { session in
            // One statement finds the file (by name when asked), creates it at version 1 or moves the owner's
            // existing one to its next version; another owner's file of that id is left alone and returns no row.
            guard let row = try await session.query(
                """
                INSERT INTO files AS f (file_id, owner_id, name, content_type, status, current_version, labels)
                SELECT coalesce((
                    SELECT file_id FROM files WHERE $6 AND owner_id = $2::uuid AND name = $3 AND deleted_at IS NULL
                    ORDER BY created_at, file_id LIMIT 1), $1::uuid),
                    $2::uuid, $3, $4, 1, 1, coalesce($5::jsonb, '{}')
                ON CONFLICT (file_id) DO UPDATE SET current_version = f.current_version + 1, name = excluded.name,
                    content_type = excluded.content_type, status = 1, detected_type = '', updated_at = now(),
                    deleted_at = NULL, labels = coalesce($5::jsonb, f.labels)
                WHERE f.owner_id = excluded.owner_id
                RETURNING file_id, current_version
                """,
                [.text(version.fileID), .text(version.ownerID), .text(version.name), .text(version.contentType),
                 .text(labels), .bool(version.addsToSameNamedFile)]
            ).first else {
                throw PostgresError(.notFound, "file \(version.fileID) not found")
            }
            let fileID = try row.string(0)
            let number = try row.int(1)
            try await session.query(
                "INSERT INTO versions (file_id, version, size, sha256, content_type) VALUES ($1, $2, $3, $4, $5)",
                [.text(fileID), .int(number), .int(version.size), .bytea(version.sha256), .text(version.contentType)]
            )
            try await session.addBlockReferences(fileID: fileID, version: number, blocks: version.blocks)
            try await session.chargeQuota(userID: version.ownerID, bytes: version.size)
            try await session.enqueue(events(fileID, Int(number)))
            _ = try await session.createJob(fileID: fileID, version: Int(number))
            return try await session.file(id: fileID)!
        }
    }

    public func file(id: String) async throws -> FileRecord? {
        try await database.read { try await $0.file(id: id) }
    }

    /// A version with its blocks in order; `nil` when the file or version does not exist. One statement (a row
    /// per block, the version's columns repeated; one row with no block for an empty file): upload, processing
    /// and every file read come here.
    public func version(fileID: String, version: Int) async throws -> VersionRecord? {
        let rows = try await database.query(
            """
            SELECT v.size, v.sha256, v.content_type, \(micros("v.created_at")),
                vb.sha256, b.size, vb.byte_offset, b.compression, b.stored_size
            FROM versions v
            LEFT JOIN version_blocks vb ON vb.file_id = v.file_id AND vb.version = v.version
            LEFT JOIN blocks b ON b.sha256 = vb.sha256
            WHERE v.file_id = $1 AND v.version = $2 ORDER BY vb.ordinal
            """,
            [.text(fileID), .int(version)]
        ).rows
        guard let row = rows.first else { return nil }
        let blocks = try rows.filter { !$0.isNull(4) }.map {
            BlockRecord(
                sha256: try $0.bytes(4), size: Int(try $0.int(5)), offset: try $0.int(6),
                compression: Int(try $0.int(7)), storedSize: Int(try $0.int(8))
            )
        }
        return VersionRecord(
            fileID: fileID, version: version, size: try row.int(0), sha256: try row.bytes(1),
            contentType: try row.string(2), createdAtMicros: try row.int(3), blocks: blocks
        )
    }

    /// The orders an owner's files can be listed in; each ends with the file id so that keyset pages are exact.
    public enum FileOrder: Sendable, Hashable {
        case createdAscending, createdDescending, nameAscending, sizeDescending

        /// The SQL sort key (compared as a row with the file id), its parameter type, and the direction.
        var key: (expression: String, type: String, descending: Bool) {
            switch self {
            case .createdAscending: (micros("f.created_at"), "int8", false)
            case .createdDescending: (micros("f.created_at"), "int8", true)
            case .nameAscending: ("f.name COLLATE \"C\"", "text", false)
            case .sizeDescending: ("coalesce(v.size, 0)", "int8", true)
            }
        }

        /// The sort key of a record, to continue after it.
        public func key(of record: FileRecord) -> PostgresValue {
            switch self {
            case .createdAscending, .createdDescending: .int(record.createdAtMicros)
            case .nameAscending: .text(record.name)
            case .sizeDescending: .int(record.size)
            }
        }
    }

    /// The owner's live files (or trashed ones, for the trash view) in `order`, `limit` at a time; pass the sort
    /// key and id of the last one back as `after` to continue (`FileOrder.key(of:)`).
    public func listFiles(
        ownerID: String, limit: Int, order: FileOrder = .createdAscending, after: (key: PostgresValue, fileID: String)? = nil,
        trashed: Bool = false
    ) async throws -> [FileRecord] {
        try await database.query(
            "SELECT \(Self.fileColumns) \(Self.fileFrom) WHERE f.owner_id = $1 AND (f.deleted_at IS NOT NULL) = $2 AND "
                + Self.keysetPage(order, firstParameter: 3),
            [.text(ownerID), .bool(trashed)] + Self.keysetParameters(after, limit: limit)
        ).rows.map(Self.file)
    }

    /// The condition and ordering of one keyset page in `order`, from parameter `$n` on: the key and file id to
    /// continue after (both NULL for the first page), then the limit (`keysetParameters` makes the three).
    static func keysetPage(_ order: FileOrder, firstParameter n: Int) -> String {
        let key = order.key
        let direction = key.descending ? "DESC" : ""
        return """
            ($\(n)::\(key.type) IS NULL OR (\(key.expression), f.file_id) \(key.descending ? "<" : ">") ($\(n)::\(key.type), $\(n + 1)::uuid))
            ORDER BY \(key.expression) \(direction), f.file_id \(direction) LIMIT $\(n + 2)
            """
    }

    static func keysetParameters(_ after: (key: PostgresValue, fileID: String)?, limit: Int) -> [PostgresValue] {
        [after?.key ?? .null, .text(after?.fileID), .int(max(0, min(limit, 1000)))]
    }

    /// Records processing's outcome (status, detected type, extracted text, reason) with its events and, when
    /// given, the job's new state, in one transaction; `nil` arguments leave the stored value as it is. `nil` when
    /// there is no such file; an unknown job fails with `notFound` and changes nothing. `events` is given the file's
    /// owner and current version as the update found them, so that the caller needs no read of its own first.
    public func setStatus(
        fileID: String, status: Int, detectedType: String? = nil, extractedText: String? = nil, reason: String? = nil,
        job: JobUpdate? = nil,
        events: @escaping @Sendable (_ ownerID: String, _ currentVersion: Int) -> [OutboxMessage] = { _, _ in [] }
    ) async throws -> FileRecord? {
        try job?.validate()
        return try await database.transaction { session in
            guard let updated = try await session.query(
                """
                UPDATE files SET status = $2, detected_type = coalesce($3, detected_type),
                    extracted_text = coalesce($4, extracted_text), status_reason = coalesce($5, status_reason),
                    updated_at = now()
                WHERE file_id = $1 RETURNING owner_id, current_version
                """,
                [.text(fileID), .int(status), .text(detectedType), .text(extractedText), .text(reason)]
            ).first else { return nil }
            if let job, try await session.updateJob(job) == nil {
                throw PostgresError(.notFound, "job \(job.jobID) not found")
            }
            try await session.enqueue(events(try updated.string(0), Int(try updated.int(1))))
            return try await session.file(id: fileID)
        }
    }

    /// Moves a file to the trash (`trashed: true`) or back; `false` when the owner has no such file.
    public func setTrashed(fileID: String, ownerID: String, trashed: Bool, events: [OutboxMessage] = []) async throws -> Bool {
        try await database.transaction { session in
            let updated = try await session.query(
                """
                UPDATE files SET deleted_at = CASE WHEN $3 THEN now() END, updated_at = now()
                WHERE file_id = $1 AND owner_id = $2 AND (deleted_at IS NULL) = $3
                """,
                [.text(fileID), .text(ownerID), .bool(trashed)]
            )
            guard updated.affectedRows == 1 else { return false }
            try await session.enqueue(events)
            return true
        }
    }

    /// Trashed files whose retention has passed, for the deletion service's purge loop.
    public func trashedBefore(micros cutoff: Int64, limit: Int) async throws -> [FileRecord] {
        try await database.query(
            """
            SELECT \(Self.fileColumns) \(Self.fileFrom)
            WHERE f.deleted_at IS NOT NULL AND f.deleted_at < to_timestamp($1::float8 / 1000000)
            ORDER BY f.deleted_at LIMIT $2
            """,
            [.int(cutoff), .int(limit)]
        ).rows.map(Self.file)
    }

    /// Removes a file for good: releases its block references (blocks reaching zero become GC candidates),
    /// credits the owner's quota and deletes its rows. Returns how many blocks lost their last reference.
    /// `announce` makes the events to commit with it from the owner's id and that block count.
    public func purge(
        fileID: String, announce: @Sendable (_ ownerID: String, _ releasedBlocks: Int) -> [OutboxMessage] = { _, _ in [] }
    ) async throws -> Int {
        try await database.transaction { session in
            guard let file = try await session.query(
                "SELECT owner_id FROM files WHERE file_id = $1 FOR UPDATE", [.text(fileID)]
            ).first else { return 0 }
            let released = try await session.query(
                """
                UPDATE blocks b SET refcount = b.refcount - c.n,
                    unreferenced_since = CASE WHEN b.refcount - c.n = 0 THEN now() ELSE b.unreferenced_since END
                FROM (SELECT sha256, count(*) AS n FROM version_blocks WHERE file_id = $1 GROUP BY sha256) c
                WHERE b.sha256 = c.sha256 AND b.refcount - c.n = 0
                """,
                [.text(fileID)]
            ).affectedRows
            try await session.query(
                """
                UPDATE blocks b SET refcount = b.refcount - c.n
                FROM (SELECT sha256, count(*) AS n FROM version_blocks WHERE file_id = $1 GROUP BY sha256) c
                WHERE b.sha256 = c.sha256 AND b.refcount - c.n > 0
                """,
                [.text(fileID)]
            )
            let total = try await session.query(
                "SELECT coalesce(sum(size), 0)::int8 FROM versions WHERE file_id = $1", [.text(fileID)]
            ).first!.int(0)
            try await session.chargeQuota(userID: try file.string(0), bytes: -total)
            try await session.query("DELETE FROM files WHERE file_id = $1", [.text(fileID)])
            try await session.enqueue(announce(try file.string(0), released))
            return released
        }
    }

    static let fileColumns = """
        f.file_id, f.owner_id, u.username, f.name, f.content_type, f.status, f.current_version,
        (SELECT count(*) FROM versions c WHERE c.file_id = f.file_id), coalesce(v.size, 0),
        coalesce(v.sha256, ''::bytea), f.detected_type, \(micros("f.created_at")), \(micros("f.updated_at")),
        \(micros("f.deleted_at")), f.labels::text
        """
    /// How many columns `fileColumns` has: a query's own columns after them start here.
    static let fileColumnCount = 15
    static let fileFrom = "FROM files f \(fileJoins)"
    /// What `fileColumns` needs besides `files f`: its owner `u` and its current version `v`.
    static let fileJoins = """
        JOIN users u ON u.user_id = f.owner_id
        LEFT JOIN versions v ON v.file_id = f.file_id AND v.version = f.current_version
        """

    static func file(_ row: PostgresRow) throws -> FileRecord {
        FileRecord(
            fileID: try row.string(0), ownerID: try row.string(1), ownerUsername: try row.string(2),
            name: try row.string(3), contentType: try row.string(4), status: Int(try row.int(5)),
            currentVersion: Int(try row.int(6)), versionCount: Int(try row.int(7)), size: try row.int(8),
            sha256: try row.bytes(9), detectedType: try row.string(10), createdAtMicros: try row.int(11),
            updatedAtMicros: try row.int(12), deletedAtMicros: try row.optionalInt(13),
            labels: try FileLabels.decode(try row.string(14))
        )
    }
}

extension PostgresSession {
    public func file(id: String) async throws -> FileRecord? {
        try await query(
            "SELECT \(FileFlowStore.fileColumns) \(FileFlowStore.fileFrom) WHERE f.file_id = $1", [.text(id)]
        ).first.map(FileFlowStore.file)
    }

    /// Adds one reference per block occurrence, creating block rows on first sight; one statement each for the
    /// block rows and the version's block list, however many blocks (the digests travel as one `bytea`). The rows
    /// come from a JSON list, whose length the planner does not weigh, so the statements keep their generic plans
    /// (see `wantedFileIDs`); over `generate_series(0, $n)` they were planned again on every commit.
    func addBlockReferences(fileID: String, version: Int64, blocks: [BlockRecord]) async throws {
        guard !blocks.isEmpty else { return }
        let digests = blocks.flatMap(\.sha256)
        let jsonList = { (values: [String]) in "[" + values.joined(separator: ",") + "]" }
        let array = { (values: [String]) in "{" + values.joined(separator: ",") + "}" }
        try await query(
            """
            INSERT INTO blocks (sha256, size, stored_size, compression, refcount)
            SELECT h, min(s), min(ss), min(c), count(*) FROM (
                SELECT substring($1::bytea FROM (n - 1) * 32 + 1 FOR 32) AS h, o.size::int4 AS s,
                       ($3::int4[])[n] AS ss, ($4::int2[])[n] AS c
                FROM (SELECT value, ordinality::int4 FROM json_array_elements_text($2::json) WITH ORDINALITY)
                    AS o(size, n)) AS refs
            GROUP BY h
            ON CONFLICT (sha256) DO UPDATE SET refcount = blocks.refcount + excluded.refcount, unreferenced_since = NULL
            """,
            [.bytea(digests), .text(jsonList(blocks.map { String($0.size) })),
             .text(array(blocks.map { String($0.storedSize) })), .text(array(blocks.map { String($0.compression) }))]
        )
        try await query(
            """
            INSERT INTO version_blocks (file_id, version, ordinal, sha256, byte_offset)
            SELECT $1, $2, n - 1, substring($3::bytea FROM (n - 1) * 32 + 1 FOR 32), o.byte_offset::int8
            FROM (SELECT value, ordinality::int4 FROM json_array_elements_text($4::json) WITH ORDINALITY)
                AS o(byte_offset, n)
            """,
            [.text(fileID), .int(version), .bytea(digests), .text(jsonList(blocks.map { String($0.offset) }))]
        )
    }
}
