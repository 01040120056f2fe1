/// Decides whether a file's state, read from Postgres, may still be written to the index.
///
/// Reads run concurrently (the event consumer, start-up catch-up and Rebuild pages, each on its own task), so two
/// reads of the same file can finish in either order. Each read takes a ticket *before* it queries; a document is
/// applied only if no read with a later ticket was applied for that file already. A later ticket's query started
/// after the earlier ticket was issued, so it sees at least every change whose event led to the earlier read: the
/// index converges to the newest state without per-file locks.
///
/// Entries older than every open ticket decide nothing any more and are pruned, so memory stays bounded by the
/// files touched while the oldest open read (one page or event) runs.
struct FreshnessLedger {
    private var lastTicket: UInt64 = 0
    private var openTickets: Set<UInt64> = []
    private var applied: [String: UInt64] = [:]
    private var pruneAt = 1024

    /// Applied-ticket entries currently remembered.
    var rememberedFiles: Int { applied.count }

    /// A ticket for a read about to start; `close` it when its documents were applied (or it failed).
    mutating func open() -> UInt64 {
        lastTicket += 1
        openTickets.insert(lastTicket)
        return lastTicket
    }

    mutating func close(_ ticket: UInt64) {
        openTickets.remove(ticket)
        guard let oldest = openTickets.min() else {
            applied.removeAll(keepingCapacity: true)
            return
        }
        if applied.count >= pruneAt {
            applied = applied.filter { $0.value >= oldest }
            pruneAt = max(1024, applied.count * 2)
        }
    }

    /// Whether the state read under `ticket` may replace what the index holds for `fileID`; records it if so.
    mutating func admit(_ fileID: String, ticket: UInt64) -> Bool {
        if let last = applied[fileID], last > ticket { return false }
        applied[fileID] = ticket
        return true
    }
}
