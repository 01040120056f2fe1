extension PostgresSession {
    /// Writes outbox rows inside the caller's transaction: they commit (and are later published) exactly when
    /// the change they announce commits.
    public func enqueue(_ messages: [OutboxMessage]) async throws {
        for message in messages {
            if message.key.utf8.contains(0) || message.topic.utf8.contains(0) {
                throw PostgresError(.invalidParameter, "outbox topic and key cannot contain NUL bytes")
            }
            try await query(
                "INSERT INTO outbox (event_id, topic, message_key, payload, b3) VALUES ($1, $2, $3, $4, $5)",
                [.text(message.eventID), .text(message.topic), .text(message.key), .bytea(message.payload),
                 .text(message.b3)]
            )
        }
    }

    /// Records that `consumer` handled `eventID`; `false` when it already had (a redelivery to skip).
    /// Call it in the same transaction as the handler's own writes so the two commit together.
    public func markProcessed(consumer: String, eventID: String) async throws -> Bool {
        try await query(
            "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [.text(consumer), .text(eventID)]
        ).affectedRows == 1
    }

    /// `markProcessed` for several events in one statement; returns the ids that were not in the ledger yet. Ids
    /// go in sorted, so two writers with overlapping groups take the ledger's row locks in one order.
    public func markProcessed(consumer: String, eventIDs: [String]) async throws -> Set<String> {
        guard !eventIDs.isEmpty else { return [] }
        return Set(try await query(
            """
            INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
            ON CONFLICT DO NOTHING RETURNING event_id
            """,
            [.text(consumer), .textArray(Set(eventIDs).sorted())]
        ).rows.map { try $0.string(0) })
    }
}

extension FileFlowStore {
    /// Writes outbox rows in a transaction of their own (for events that announce no other change).
    public func enqueue(_ messages: [OutboxMessage]) async throws {
        try await database.transaction { try await $0.enqueue(messages) }
    }

    /// The oldest unsent rows, in id order (the order they are published in).
    public func unsentOutbox(limit: Int) async throws -> [OutboxMessage] {
        try await database.query(
            "SELECT id, event_id, topic, message_key, payload, b3 FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1",
            [.int(limit)]
        ).rows.map {
            OutboxMessage(
                eventID: try $0.string(1), topic: try $0.string(2), key: try $0.string(3), payload: try $0.bytes(4),
                b3: try $0.string(5), id: try $0.int(0)
            )
        }
    }

    /// Marks rows sent, once the broker acknowledged them.
    public func markSent(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let list = "{" + ids.map(String.init).joined(separator: ",") + "}"
        try await database.transaction { session in
            try await session.query("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::int8[])", [.text(list)])
        }
    }

    /// Deletes sent rows older than `micros` so the outbox stays small.
    public func pruneSentOutbox(before micros: Int64) async throws -> Int {
        try await database.transaction { session in
            try await session.query(
                "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < to_timestamp($1::float8 / 1000000)",
                [.int(micros)]
            ).affectedRows
        }
    }

    /// Consumer dedupe outside a larger transaction; prefer `PostgresSession.markProcessed` inside one.
    public func markProcessed(consumer: String, eventID: String) async throws -> Bool {
        try await database.transaction { try await $0.markProcessed(consumer: consumer, eventID: eventID) }
    }
}
