extension FileFlowStore {
    /// Stores a notification under the user's next sequence number (the SSE event id clients resume from).
    public func addNotification(userID: String, kind: Int, fileID: String?, title: String, body: String) async throws
        -> NotificationRecord
    {
        try Self.requireLength(title, "title", max: Limits.titleBytes, allowEmpty: true)
        try Self.requireLength(body, "body", max: Limits.bodyBytes, allowEmpty: true)
        let id = newUUID()
        return try await database.transaction { session in
            guard let sequence = try await session.query(
                "UPDATE users SET notification_sequence = notification_sequence + 1 WHERE user_id = $1 "
                    + "RETURNING notification_sequence",
                [.text(userID)]
            ).first?.int(0) else { throw PostgresError(.notFound, "user \(userID) not found") }
            return try Self.notification(try await session.query(
                """
                INSERT INTO notifications (notification_id, user_id, sequence, kind, file_id, title, body)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING \(Self.notificationColumns)
                """,
                [.text(id), .text(userID), .int(sequence), .int(kind), .text(fileID), .text(title), .text(body)]
            ).first!)
        }
    }

    /// The user's notifications after `afterSequence`, in sequence order.
    public func notifications(userID: String, afterSequence: Int64 = 0, limit: Int = 100) async throws
        -> [NotificationRecord]
    {
        try await database.query(
            """
            SELECT \(Self.notificationColumns) FROM notifications
            WHERE user_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3
            """,
            [.text(userID), .int(afterSequence), .int(limit)]
        ).rows.map(Self.notification)
    }

    /// Marks one of the user's notifications read; `false` when the user has no such notification.
    public func markNotificationRead(userID: String, notificationID: String) async throws -> Bool {
        try await database.transaction { session in
            try await session.query(
                "UPDATE notifications SET read = true WHERE user_id = $1 AND notification_id = $2",
                [.text(userID), .text(notificationID)]
            ).affectedRows == 1
        }
    }

    static let notificationColumns =
        "notification_id, user_id, sequence, kind, file_id, title, body, read, \(micros("created_at"))"

    static func notification(_ row: PostgresRow) throws -> NotificationRecord {
        NotificationRecord(
            notificationID: try row.string(0), userID: try row.string(1), sequence: try row.int(2),
            kind: Int(try row.int(3)), fileID: try row.optionalString(4), title: try row.string(5),
            body: try row.string(6), read: try row.bool(7), createdAtMicros: try row.int(8)
        )
    }
}
