/// A notification to store; the store gives it its id, the user's next sequence number and its time.
public struct NewNotification: Sendable, Hashable {
    public var userID: String
    /// The `NotificationKind` number.
    public var kind: Int
    public var fileID: String?
    public var title: String
    public var body: String

    public init(userID: String, kind: Int, fileID: String?, title: String, body: String) {
        self.userID = userID
        self.kind = kind
        self.fileID = fileID
        self.title = title
        self.body = body
    }
}

/// What one event says to its users, for `FileFlowStore.addNotifications(_:consumer:)`.
public struct EventNotifications: Sendable, Hashable {
    /// The event's id: its entry in the consumer's ledger.
    public var eventID: String
    public var notifications: [NewNotification]

    public init(eventID: String, notifications: [NewNotification]) {
        self.eventID = eventID
        self.notifications = notifications
    }
}

extension FileFlowStore {
    /// The channel Migration 0002's trigger `NOTIFY`s with the user id at every notification insert.
    public static let notificationChannel = "fileflow_notifications"

    /// Stores a notification under the user's next sequence number (the SSE event id clients resume from).
    public func addNotification(userID: String, kind: Int, fileID: String?, title: String, body: String) async throws
        -> NotificationRecord
    {
        let notification = NewNotification(userID: userID, kind: kind, fileID: fileID, title: title, body: body)
        try Self.validate(notification)
        return try await database.transaction { session in
            guard let stored = try await session.addNotification(notification) else {
                throw PostgresError(.notFound, "user \(userID) not found")
            }
            return stored
        }
    }

    /// Stores what several events say to their users in one transaction (a group commit: one fsync, and each
    /// user's sequence row locked once for the lot), together with `consumer`'s ledger entries for them. An event
    /// already in the ledger (a redelivery, or a repeat within `events`) stores nothing and gets nil; a user that
    /// does not exist (any more) is skipped. Results are in `events` order; a user's notifications are numbered in
    /// that order too.
    public func addNotifications(_ events: [EventNotifications], consumer: String) async throws
        -> [[NotificationRecord]?]
    {
        try events.flatMap(\.notifications).forEach(Self.validate)
        return try await database.transaction { session in
            let fresh = try await session.markProcessed(consumer: consumer, eventIDs: events.map(\.eventID))
            var firstSight = Set<String>()
            let stored = events.map { fresh.contains($0.eventID) && firstSight.insert($0.eventID).inserted }
            // Each user's row is locked once, in one order for every writer, so two groups cannot deadlock.
            let perUser = Dictionary(grouping: events.indices.filter { stored[$0] }.flatMap { event in
                events[event].notifications.indices.map { (event: event, index: $0) }
            }, by: { events[$0.event].notifications[$0.index].userID })
            // Per event, a slot per notification (left nil when its user does not exist), in the event's order.
            var records = events.indices.map { event in
                stored[event] ? [NotificationRecord?](repeating: nil, count: events[event].notifications.count) : nil
            }
            for userID in perUser.keys.sorted() {
                let entries = perUser[userID]!
                guard let last = try await session.query(
                    "UPDATE users SET notification_sequence = notification_sequence + $2 WHERE user_id = $1 "
                        + "RETURNING notification_sequence",
                    [.text(userID), .int(Int64(entries.count))]
                ).first?.int(0) else { continue }
                for (offset, entry) in entries.enumerated() {
                    let sequence = last - Int64(entries.count - 1 - offset)
                    records[entry.event]![entry.index] = try await session.insert(
                        events[entry.event].notifications[entry.index], sequence: sequence)
                }
            }
            return records.map { $0?.compactMap { $0 } }
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

    /// A page of the user's notifications, newest first: those before `beforeSequence` (all when nil), only the
    /// unread ones when `unreadOnly`.
    public func notifications(userID: String, unreadOnly: Bool, beforeSequence: Int64?, limit: Int) async throws
        -> [NotificationRecord]
    {
        try await database.query(
            """
            SELECT \(Self.notificationColumns) FROM notifications
            WHERE user_id = $1 AND sequence < $2 AND (NOT $3 OR NOT read) ORDER BY sequence DESC LIMIT $4
            """,
            [.text(userID), .int(beforeSequence ?? .max), .bool(unreadOnly), .int(limit)]
        ).rows.map(Self.notification)
    }

    /// The sequence number of the user's latest notification (0 before the first); nil when there is no such user.
    public func notificationSequence(userID: String) async throws -> Int64? {
        try await database.query(
            "SELECT notification_sequence FROM users WHERE user_id = $1", [.text(userID)]
        ).first?.int(0)
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

    /// Sends `payload` on `notificationChannel` to every listening process, storing nothing (transient
    /// notifications). Postgres caps a payload below 8000 bytes.
    public func notifyNotificationListeners(payload: String) async throws {
        try await database.query("SELECT pg_notify($1, $2)", [.text(Self.notificationChannel), .text(payload)])
    }

    private static func validate(_ notification: NewNotification) throws {
        try requireLength(notification.title, "title", max: Limits.titleBytes, allowEmpty: true)
        try requireLength(notification.body, "body", max: Limits.bodyBytes, allowEmpty: true)
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

extension PostgresSession {
    /// Inserts under the user's next sequence number; nil when there is no such user. The row lock taken on the
    /// user's counter is held until commit, so a user's notifications become visible in sequence order: a reader
    /// that sees sequence n has every earlier one too.
    func addNotification(_ notification: NewNotification) async throws -> NotificationRecord? {
        guard let sequence = try await query(
            "UPDATE users SET notification_sequence = notification_sequence + 1 WHERE user_id = $1 "
                + "RETURNING notification_sequence",
            [.text(notification.userID)]
        ).first?.int(0) else { return nil }
        return try await insert(notification, sequence: sequence)
    }

    /// Inserts a notification under a sequence number this transaction took from the user's counter.
    fileprivate func insert(_ notification: NewNotification, sequence: Int64) async throws -> NotificationRecord {
        try FileFlowStore.notification(try await query(
            """
            INSERT INTO notifications (notification_id, user_id, sequence, kind, file_id, title, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING \(FileFlowStore.notificationColumns)
            """,
            [.text(newUUID()), .text(notification.userID), .int(sequence), .int(Int64(notification.kind)),
             .text(notification.fileID), .text(notification.title), .text(notification.body)]
        ).first!)
    }
}
