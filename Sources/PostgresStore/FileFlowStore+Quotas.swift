extension FileFlowStore {
    /// Sets a user's storage limit, keeping what they already use.
    public func setQuota(userID: String, limitBytes: Int64) async throws -> QuotaRecord {
        guard limitBytes >= 0 else { throw PostgresError(.invalidParameter, "a quota cannot be negative") }
        return try await database.transaction { session in
            let row = try await session.query(
                """
                INSERT INTO quotas (user_id, limit_bytes) VALUES ($1, $2)
                ON CONFLICT (user_id) DO UPDATE SET limit_bytes = excluded.limit_bytes
                RETURNING user_id, used_bytes, limit_bytes
                """,
                [.text(userID), .int(limitBytes)]
            ).first!
            return QuotaRecord(userID: try row.string(0), usedBytes: try row.int(1), limitBytes: try row.int(2))
        }
    }

    /// A user's quota; `nil` when none is set (no limit).
    public func quota(userID: String) async throws -> QuotaRecord? {
        try await database.query(
            "SELECT user_id, used_bytes, limit_bytes FROM quotas WHERE user_id = $1", [.text(userID)]
        ).first.map { QuotaRecord(userID: try $0.string(0), usedBytes: try $0.int(1), limitBytes: try $0.int(2)) }
    }
}

extension PostgresSession {
    /// Adds `bytes` (negative to credit) to the user's use; fails with `quotaExceeded` past the limit, which rolls
    /// the whole transaction back. Users without a quota row are unlimited.
    func chargeQuota(userID: String, bytes: Int64) async throws {
        guard let row = try await query(
            """
            UPDATE quotas SET used_bytes = greatest(0, used_bytes + $2) WHERE user_id = $1
            RETURNING used_bytes, limit_bytes
            """,
            [.text(userID), .int(bytes)]
        ).first else { return }
        let (used, limit) = (try row.int(0), try row.int(1))
        if bytes > 0 && used > limit {
            throw PostgresError(.quotaExceeded, "storing \(bytes) more bytes would use \(used) of \(limit)")
        }
    }
}
