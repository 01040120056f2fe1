import FlowMessages
import MeshRPC
import ServiceKit

extension NotificationService {
    /// Stored notifications read from Postgres per page while replaying.
    static let replayPage = 100

    /// The stored notifications after `after_sequence` in sequence order (none when it is 0: live only), then
    /// live ones as they are committed, with transient ones in between; until the client leaves or the process
    /// stops (then with OK, and the client resumes elsewhere from the last sequence it saw).
    ///
    /// There is no gap and no duplicate between replay and live: the stream keeps one cursor, its last sequence,
    /// and every wake-up reads what follows it. A user's notifications become visible in sequence order (see
    /// `PostgresSession.addNotification`), so a row read after the cursor never overtakes one still to come.
    /// An `after_sequence` beyond the user's latest is taken as the latest.
    func subscribe(_ request: Fileflow_V1_SubscribeRequest, caller: Caller) async throws
        -> StreamingServerResponse<Fileflow_V1_Notification>
    {
        let userID = try user(request.userID, caller: caller)
        guard let latest = try await store.notificationSequence(userID: userID) else {
            throw RPCError.notFound("user \(userID) not found")
        }
        let start = request.afterSequence == 0 ? latest : min(Int64(clamping: request.afterSequence), latest)
        return StreamingServerResponse { writer in
            do {
                // Registered after `latest` was read: its first delivery reads whatever came in between.
                let subscription = try self.feed.subscribe(userID: userID)
                defer { self.feed.unsubscribe(subscription) }
                var cursor = start
                while let delivery = await subscription.next() {
                    if delivery.readStored { cursor = try await self.sendStored(userID, after: cursor, to: writer) }
                    try await writer.write(contentsOf: delivery.transients)
                }
                return [:]
            } catch {
                throw RPCError.from(error)
            }
        }
    }

    /// Sends the user's stored notifications after `cursor`, a page at a time; returns the new cursor.
    private func sendStored(_ userID: String, after cursor: Int64, to writer: RPCWriter<Fileflow_V1_Notification>)
        async throws -> Int64
    {
        var cursor = cursor
        while true {
            let page = try await store.notifications(userID: userID, afterSequence: cursor, limit: Self.replayPage)
            for record in page {
                try await writer.write(Fileflow_V1_Notification(record))
                cursor = record.sequence
            }
            if page.count < Self.replayPage { return cursor }
        }
    }
}
