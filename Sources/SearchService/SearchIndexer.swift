import PostgresStore
import SearchIndex

/// Keeps the index a projection of Postgres: every change is handled by re-reading the file's current state and
/// writing that, never by replaying what an event says, so redelivered, duplicated or reordered events are harmless.
final class SearchIndexer: Sendable {
    /// Rows per rebuild page; extracted text is at most 1 MiB a file, so a page stays within a bounded memory.
    static let pageSize = 64
    /// How far before the watermark a catch-up re-reads, for transactions that committed after a later one
    /// (`updated_at` is the transaction's start time, not its commit time).
    static let catchUpSlackMicros: Int64 = 60_000_000

    let store: FileFlowStore
    let writer: IndexWriter

    init(store: FileFlowStore, writer: IndexWriter) {
        self.store = store
        self.writer = writer
    }

    /// Brings these files' documents in line with Postgres and returns once that survives a crash.
    func refresh(fileIDs: [String]) async throws {
        if try await reread(fileIDs) { try await writer.makeDurable() }
    }

    /// Re-reads the files the journal lists (changed but maybe not committed when the process stopped) and commits.
    func recoverJournal() async throws -> Int {
        let ids = writer.journal.recordedIDs()
        try await rereadAll(ids)
        try await writer.checkpoint()
        return ids.count
    }

    /// Re-reads every live file into the index and drops documents of files that are not live any more; returns
    /// how many files are indexed, committed. Events handled meanwhile are never overwritten by older page reads.
    func rebuild() async throws -> Int {
        var live = Set<String>()
        try await scan(changedSince: nil) { live.insert($0.fileID) }
        // Not seen live: re-read each like an event would (it may have been created or restored meanwhile).
        try await rereadAll(writer.index.documentIDs().filter { !live.contains($0) })
        try await writer.checkpoint()
        return live.count
    }

    private func rereadAll(_ fileIDs: [String]) async throws {
        for start in stride(from: 0, to: fileIDs.count, by: 500) {
            _ = try await reread(Array(fileIDs[start..<min(start + 500, fileIDs.count)]))
        }
    }

    /// Applies the current state of these files (removing the ones that are gone); returns whether the index changed.
    private func reread(_ fileIDs: [String]) async throws -> Bool {
        let ticket = writer.openTicket()
        defer { writer.closeTicket(ticket) }
        let records = try await store.searchDocuments(fileIDs: fileIDs)
        let found = Dictionary(records.map { ($0.fileID, $0) }, uniquingKeysWith: { first, _ in first })
        return try await writer.apply(
            fileIDs.map { id in found[id].map(IndexChange.init) ?? IndexChange(removing: id) }, ticket: ticket)
    }

    /// Re-reads the files changed (or shared) since `micros`, trashed ones included so they leave the index, and
    /// commits; returns how many it read.
    func catchUp(since micros: Int64) async throws -> Int {
        var count = 0
        try await scan(changedSince: micros) { _ in count += 1 }
        try await writer.checkpoint()
        return count
    }

    /// Pages through `searchDocuments` in file id order, applying each page under its own ticket.
    private func scan(changedSince: Int64?, _ visit: (SearchDocumentRecord) -> Void) async throws {
        var after: String?
        while true {
            let ticket = writer.openTicket()
            defer { writer.closeTicket(ticket) }
            let page = try await store.searchDocuments(after: after, limit: Self.pageSize, changedSince: changedSince)
            _ = try await writer.apply(page.map(IndexChange.init), ticket: ticket)
            page.forEach(visit)
            guard page.count == Self.pageSize, let last = page.last else { return }
            after = last.fileID
        }
    }

    /// What the start-up check decided, for the log.
    enum StartupAction: Equatable, CustomStringConvertible {
        case upToDate
        case rebuilt(files: Int)
        case caughtUp(files: Int, since: Int64)

        var description: String {
            switch self {
            case .upToDate: "index up to date"
            case .rebuilt(let files): "index rebuilt from Postgres: \(files) files"
            case .caughtUp(let files, let since): "index caught up: \(files) files changed since \(since) µs re-read"
            }
        }
    }

    /// Rebuilds a missing, empty or unmarked index when Postgres has files; re-reads what changed after the
    /// watermark when the index is behind; leaves a current index alone.
    func bringUpToDate() async throws -> StartupAction {
        let (hasLiveFiles, newest) = try await store.searchHighWater()
        let mark = writer.watermark.durable
        if writer.index.documentCount == 0 {
            return hasLiveFiles ? .rebuilt(files: try await rebuild()) : .upToDate
        }
        guard let mark, let newest else { return .rebuilt(files: try await rebuild()) }
        guard newest > mark else { return .upToDate }
        let since = mark - Self.catchUpSlackMicros
        return .caughtUp(files: try await catchUp(since: since), since: since)
    }
}
