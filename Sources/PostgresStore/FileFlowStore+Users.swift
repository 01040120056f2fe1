extension FileFlowStore {
    /// Registers a user; a taken username fails with `uniqueViolation`.
    public func createUser(
        username: String, passwordHash: String, email: String = "", displayName: String = "", isAdmin: Bool = false
    ) async throws -> UserRecord {
        try Self.requireLength(username, "username", max: Limits.usernameBytes)
        try Self.requireLength(email, "email", max: 320, allowEmpty: true)
        try Self.requireLength(displayName, "display name", max: 256, allowEmpty: true)
        let id = newUUID()
        return try await database.transaction { session in
            let rows = try await session.query(
                """
                INSERT INTO users (user_id, username, email, display_name, password_hash, is_admin)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING \(Self.userColumns)
                """,
                [.text(id), .text(username), .text(email), .text(displayName), .text(passwordHash), .bool(isAdmin)]
            )
            return try Self.user(rows.first!)
        }
    }

    public func user(id: String) async throws -> UserRecord? {
        try await database.query("SELECT \(Self.userColumns) FROM users WHERE user_id = $1", [.text(id)])
            .first.map(Self.user)
    }

    public func user(username: String) async throws -> UserRecord? {
        try await database.query("SELECT \(Self.userColumns) FROM users WHERE username = $1", [.text(username)])
            .first.map(Self.user)
    }

    /// Changes the profile fields given; returns the updated user, or nil when there is no such user.
    public func updateUser(id: String, email: String? = nil, displayName: String? = nil) async throws -> UserRecord? {
        if let email { try Self.requireLength(email, "email", max: 320, allowEmpty: true) }
        if let displayName { try Self.requireLength(displayName, "display name", max: 256, allowEmpty: true) }
        return try await database.transaction { session in
            try await session.query(
                """
                UPDATE users SET email = coalesce($2, email), display_name = coalesce($3, display_name)
                WHERE user_id = $1 RETURNING \(Self.userColumns)
                """,
                [.text(id), .text(email), .text(displayName)]
            ).first.map(Self.user)
        }
    }

    static let userColumns =
        "user_id, username, email, display_name, password_hash, is_admin, \(micros("created_at"))"

    static func user(_ row: PostgresRow) throws -> UserRecord {
        UserRecord(
            userID: try row.string(0), username: try row.string(1), email: try row.string(2),
            displayName: try row.string(3), passwordHash: try row.string(4), isAdmin: try row.bool(5),
            createdAtMicros: try row.int(6)
        )
    }
}
