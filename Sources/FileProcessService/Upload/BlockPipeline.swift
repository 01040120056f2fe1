import BlockStore
import FlowMessages

/// Stores an upload's blocks while the next ones arrive: up to `depth` puts run at once, so hashing, writing
/// and the fsync of one block overlap receiving the next instead of stalling the stream. Results are taken in
/// file order, and memory holds at most `depth` blocks.
struct BlockPipeline {
    private let store: any BlockStorage
    private let depth: Int
    private var inFlight: [(size: Int, put: Task<BlockPutResult, any Error>)] = []
    /// The stored blocks, in file order.
    private(set) var refs: [Fileflow_V1_BlockRef] = []
    /// How many blocks were already stored (by this or another upload).
    private(set) var deduplicated: UInt32 = 0

    init(store: any BlockStorage, depth: Int = 3) {
        self.store = store
        self.depth = max(1, depth)
    }

    /// Starts storing `block`, first waiting for the oldest put when `depth` are running.
    mutating func add(_ block: [UInt8]) async throws {
        if inFlight.count >= depth { try await takeOldest() }
        let store = self.store
        inFlight.append((block.count, Task { try await store.put(block) }))
    }

    /// Waits for every put; after it, `refs` lists the whole file.
    mutating func finish() async throws {
        while !inFlight.isEmpty { try await takeOldest() }
    }

    /// Stops the puts still running (the upload failed); blocks they stored are unreferenced and collected later.
    mutating func abandon() async {
        for entry in inFlight { entry.put.cancel() }
        for entry in inFlight { _ = try? await entry.put.value }
        inFlight.removeAll()
    }

    private mutating func takeOldest() async throws {
        let (size, put) = inFlight.removeFirst()
        let result = try await put.value
        var ref = Fileflow_V1_BlockRef()
        ref.sha256 = result.digest.bytes
        ref.size = UInt32(size)
        ref.offset = refs.last.map { $0.offset + UInt64($0.size) } ?? 0
        refs.append(ref)
        if !result.written { deduplicated += 1 }
    }
}
