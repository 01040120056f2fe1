import Synchronization

/// Shares a budget of in-flight blocks among the uploads under way, so that memory stays bounded however many run
/// at once: an upload alone keeps up to `maxPerUpload` blocks in flight (what a fast stream needs to overlap
/// hashing, writing and fsync), many uploads keep fewer each, and every upload at least one. With a fixed depth,
/// memory grew with the number of uploads (fifty 1 GiB uploads at depth six held 1.5 GiB).
final class BlockBudget: Sendable {
    private let blocks: Int
    private let maxPerUpload: Int
    private let uploads = Atomic<Int>(0)

    /// Six per upload: with three, one put slow in fsync or waiting for a core stalled the stream (a 1 GiB upload
    /// ran at two thirds of the speed).
    init(blocks: Int = 24, maxPerUpload: Int = 6) {
        self.blocks = blocks
        self.maxPerUpload = maxPerUpload
    }

    /// Counts an upload in until `body` returns.
    func admitting<T>(_ body: () async throws -> T) async rethrows -> T {
        uploads.add(1, ordering: .relaxed)
        defer { uploads.subtract(1, ordering: .relaxed) }
        return try await body()
    }

    /// How many blocks one upload may have in flight now.
    var depth: Int {
        max(1, min(maxPerUpload, blocks / max(1, uploads.load(ordering: .relaxed))))
    }
}
