import Foundation
import Synchronization

/// The ids of files changed in the index since its last commit, written and fsynced before events are
/// acknowledged: what makes an acknowledged event survive a crash without an index commit per event.
///
/// An index commit writes a segment, a tombstone file per touched segment and the manifest, each fsynced; a journal
/// flush is one small append and one fsync. The journal holds ids only: recovery re-reads those files from Postgres,
/// like any event, so a torn last line or an id whose change was already committed costs nothing but a re-read.
/// Emptied after each index commit.
final class IndexJournal: Sendable {
    static let fileName = "fileflow-journal"

    let path: String
    private let unflushed = Mutex<[String]>([])

    /// Creates the journal file if needed, durably (its directory entry too), before anything relies on it.
    init(directory: String) throws {
        path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            let directoryHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory))
            defer { try? directoryHandle.close() }
            try directoryHandle.synchronize()
        }
    }

    /// The ids on disk (duplicates and torn or garbage lines dropped).
    func recordedIDs() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var seen = Set<String>()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let id = String(line)
            guard id.utf8.count == 36, UUID(uuidString: id) != nil, seen.insert(id).inserted else { return nil }
            return id
        }
    }

    /// Notes a changed file, to be written by the next `flush`.
    func note(_ fileID: String) {
        unflushed.withLock { $0.append(fileID) }
    }

    /// Writes every noted id and returns once they are on disk; on failure they stay noted for the next flush.
    func flush() throws {
        let ids = unflushed.withLock { ids in defer { ids.removeAll() }; return ids }
        guard !ids.isEmpty else { return }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(ids.map { $0 + "\n" }.joined().utf8))
            try handle.synchronize()
        } catch {
            unflushed.withLock { $0 = ids + $0 }
            throw error
        }
    }

    /// Empties the journal; only after an index commit that covers everything it lists. Not fsynced: if the
    /// truncation is lost, recovery merely re-reads files that were committed already.
    func reset() throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
    }
}
