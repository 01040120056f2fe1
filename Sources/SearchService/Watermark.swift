import Foundation
import Synchronization

/// The newest `files.updated_at` the index has made durable, kept in a small file beside the segments.
///
/// Kafka redelivers everything unacknowledged, so this only matters when events were lost (a broker that forgot
/// them, an index restored from an old copy): at start, files changed after it are re-read from Postgres. The file
/// is replaced after each commit without fsync: losing an update only makes the next catch-up re-read a little
/// more, and an unreadable file makes it rebuild everything.
final class Watermark: Sendable {
    static let fileName = "fileflow-watermark"

    private let path: String
    private let state: Mutex<(applied: Int64?, durable: Int64?)>

    init(directory: String) {
        path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        let stored = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
            Int64($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        state = Mutex((stored, stored))
    }

    /// The watermark on disk: microseconds since the epoch, nil when there is none.
    var durable: Int64? { state.withLock { $0.durable } }

    /// Notes a state applied to the index (not yet durable).
    func advance(to micros: Int64) {
        state.withLock { $0.applied = max($0.applied ?? micros, micros) }
    }

    /// Records everything applied so far as durable; call right after a successful index commit.
    func persist() throws {
        let newer = state.withLock { state -> Int64? in
            guard let applied = state.applied, applied != state.durable else { return nil }
            return applied
        }
        guard let newer else { return }
        try String(newer).write(toFile: path, atomically: true, encoding: .utf8)
        state.withLock { $0.durable = max($0.durable ?? newer, newer) }
    }
}
