import Dispatch
import Foundation
import SearchIndex
import Synchronization

/// The one writer of the search index. Changes are applied in order on a serial queue (the index's file I/O
/// blocks, and must not occupy the two threads of the cooperative pool); a change is durable once its file id is in
/// the journal (flushed on the same queue), and the index itself is committed by periodic checkpoints, which also
/// make changes visible to searches. Segments are merged on a queue of their own, so neither ingest nor searches
/// wait for a merge.
final class IndexWriter: Sendable {
    /// Merging starts above this many segments; each merge folds the ten smallest into one, which keeps the
    /// segments size-tiered (every document is rewritten about log10(n) times) and searches cheap.
    static let maxSegments = 20

    let index: SearchIndex
    let watermark: Watermark
    let journal: IndexJournal
    private let queue = DispatchQueue(label: "fileflow.search.index")
    private let mergeQueue = DispatchQueue(label: "fileflow.search.merge")
    private let ledger = Mutex(FreshnessLedger())
    private let uncommitted = Mutex(false)

    init(index: SearchIndex) throws {
        self.index = index
        journal = try IndexJournal(directory: index.directory)
        watermark = Watermark(directory: index.directory)
    }

    /// Opens the index in `directory`. One that cannot be read (corrupt, or written with other analyzer settings)
    /// is moved aside and replaced by an empty one, which the start-up check then fills from Postgres; `note`
    /// says where it went.
    static func open(directory: String) throws -> (writer: IndexWriter, note: String?) {
        let index: SearchIndex
        do {
            index = try SearchIndex(directory: directory)
        } catch {
            guard error.code == .corrupt || error.code == .incompatible else { throw error }
            let aside = "\(directory).unreadable-\(Int(Date().timeIntervalSince1970))"
            try FileManager.default.moveItem(atPath: directory, toPath: aside)
            let note = "index unreadable (\(error)); moved to \(aside), rebuilding from Postgres"
            return (try IndexWriter(index: try SearchIndex(directory: directory)), note)
        }
        return (try IndexWriter(index: index), nil)
    }

    /// A ticket for a Postgres read whose result will be applied; close it afterwards (see `FreshnessLedger`).
    func openTicket() -> UInt64 { ledger.withLock { $0.open() } }
    func closeTicket(_ ticket: UInt64) { ledger.withLock { $0.close(ticket) } }

    /// Applies the states read under `ticket`, skipping files a newer read already wrote; returns whether the index
    /// changed (and so needs `makeDurable`).
    func apply(_ changes: [IndexChange], ticket: UInt64) async throws -> Bool {
        try await onQueue { [self] in
            var changed = false
            for change in changes where ledger.withLock({ $0.admit(change.fileID, ticket: ticket) }) {
                if let document = change.document {
                    try index.add(document)
                } else if !index.delete(id: change.fileID) {
                    continue
                }
                changed = true
                journal.note(change.fileID)
                if let micros = change.changedAtMicros { watermark.advance(to: micros) }
            }
            if changed { uncommitted.withLock { $0 = true } }
            return changed
        }
    }

    /// Returns once everything applied before the call survives a crash.
    func makeDurable() async throws {
        try await onQueue { [journal] in try journal.flush() }
    }

    /// Commits the index if anything changed since the last commit, which also makes the changes searchable, then
    /// empties the journal and records the watermark.
    func checkpoint() async throws {
        try await onQueue { [self] in
            guard uncommitted.withLock({ $0 }) else { return }
            try index.commit()
            uncommitted.withLock { $0 = false }
            try journal.reset()
            try watermark.persist()
        }
    }

    /// Merges while there are more than `maxSegments` segments.
    func mergeIfNeeded() async throws {
        guard index.segmentCount > Self.maxSegments else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            mergeQueue.async { [index] in
                continuation.resume(with: Result {
                    while index.segmentCount > Self.maxSegments, try index.merge(maxSegments: index.segmentCount - 9) {}
                })
            }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
