extension FileFlowStore {
    /// Grants (or changes) `userID`'s permission on a file owned by `ownerID`; `false` when the owner has no
    /// such live file. `permission` is 1 (read) or 2 (write).
    public func share(fileID: String, ownerID: String, with userID: String, permission: Int, events: [OutboxMessage] = [])
        async throws -> Bool
    {
        guard permission == 1 || permission == 2 else {
            throw PostgresError(.invalidParameter, "a share grants read (1) or write (2), not \(permission)")
        }
        return try await database.transaction { session in
            let inserted = try await session.query(
                """
                INSERT INTO shares (file_id, user_id, permission, granted_by)
                SELECT file_id, $3, $4, owner_id FROM files
                WHERE file_id = $1 AND owner_id = $2 AND deleted_at IS NULL AND owner_id <> $3::uuid
                ON CONFLICT (file_id, user_id) DO UPDATE SET permission = excluded.permission
                """,
                [.text(fileID), .text(ownerID), .text(userID), .int(permission)]
            )
            guard inserted.affectedRows == 1 else { return false }
            try await session.enqueue(events)
            return true
        }
    }

    /// Revokes a share; `false` when there was none.
    public func unshare(fileID: String, ownerID: String, from userID: String, events: [OutboxMessage] = []) async throws
        -> Bool
    {
        try await database.transaction { session in
            let deleted = try await session.query(
                """
                DELETE FROM shares s USING files f
                WHERE s.file_id = $1 AND s.user_id = $3 AND f.file_id = s.file_id AND f.owner_id = $2
                """,
                [.text(fileID), .text(ownerID), .text(userID)]
            )
            guard deleted.affectedRows == 1 else { return false }
            try await session.enqueue(events)
            return true
        }
    }

    public func shares(fileID: String) async throws -> [ShareRecord] {
        try await database.query(
            "\(Self.shareSelect) WHERE s.file_id = $1 ORDER BY s.created_at, s.user_id", [.text(fileID)]
        ).rows.map(Self.share)
    }

    /// Live files shared with `userID` and the permission each grants, newest share first.
    public func sharedWith(userID: String, limit: Int = 100) async throws -> [(file: FileRecord, permission: Int)] {
        try await database.query(
            """
            SELECT \(Self.fileColumns), s.permission \(Self.fileFrom) JOIN shares s ON s.file_id = f.file_id
            WHERE s.user_id = $1 AND f.deleted_at IS NULL ORDER BY s.created_at DESC, f.file_id LIMIT $2
            """,
            [.text(userID), .int(limit)]
        ).rows.map(Self.sharedFile)
    }

    /// Live files shared with `userID` in `order`, keyset-paginated like `listFiles`, with the permission each grants.
    public func sharedWith(
        userID: String, limit: Int, order: FileOrder, after: (key: PostgresValue, fileID: String)? = nil
    ) async throws -> [(file: FileRecord, permission: Int)] {
        try await database.query(
            """
            SELECT \(Self.fileColumns), s.permission \(Self.fileFrom) JOIN shares s ON s.file_id = f.file_id
            WHERE s.user_id = $1 AND f.deleted_at IS NULL AND \(Self.keysetPage(order, firstParameter: 2))
            """,
            [.text(userID)] + Self.keysetParameters(after, limit: limit)
        ).rows.map(Self.sharedFile)
    }

    private static func sharedFile(_ row: PostgresRow) throws -> (file: FileRecord, permission: Int) {
        (try file(row), Int(try row.int(fileColumnCount)))
    }

    /// The caller's permission on a live file: 3 owner, 2 write, 1 read, nil none (or no such file).
    public func permission(fileID: String, userID: String) async throws -> Int? {
        try await database.query(
            """
            SELECT CASE WHEN f.owner_id = $2::uuid THEN 3 ELSE s.permission END
            FROM files f LEFT JOIN shares s ON s.file_id = f.file_id AND s.user_id = $2
            WHERE f.file_id = $1 AND f.deleted_at IS NULL
            """,
            [.text(fileID), .text(userID)]
        ).first?.optionalInt(0).map(Int.init)
    }

    static let shareSelect = """
        SELECT s.file_id, s.user_id, u.username, s.permission, s.granted_by, \(micros("s.created_at"))
        FROM shares s JOIN users u ON u.user_id = s.user_id
        """

    static func share(_ row: PostgresRow) throws -> ShareRecord {
        ShareRecord(
            fileID: try row.string(0), userID: try row.string(1), username: try row.string(2),
            permission: Int(try row.int(3)), grantedBy: try row.string(4), createdAtMicros: try row.int(5)
        )
    }
}
