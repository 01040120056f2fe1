import BlockStore
import Crypto
import FlowMessages

/// Stores an upload's blocks while the next ones arrive, and hashes the whole content on the way: up to the
/// budget's `depth` blocks are in flight, each put (the block's SHA-256, write, fsync) running on the block store's
/// threads while the file's SHA-256 takes the blocks in order on another, so the two hashes share the cores instead
/// of adding up on the thread that receives the stream. Results are taken in file order; memory holds at most
/// `depth` blocks, whose buffers go back to `buffers` once stored and hashed.
struct BlockPipeline {
    private struct InFlight {
        var block: [UInt8]
        let put: Task<BlockPutResult, any Error>
        let hashed: Task<SHA256, Never>
    }

    private let store: any BlockStorage
    private let buffers: BlockBufferPool
    private let budget: BlockBudget
    private var inFlight: [InFlight] = []
    /// The file's hash state after the last block added; each block's hashing starts from its predecessor's.
    private var hashed: Task<SHA256, Never>?
    /// The stored blocks, in file order.
    private(set) var refs: [Fileflow_V1_BlockRef] = []
    /// How many blocks were already stored (by this or another upload).
    private(set) var deduplicated: UInt32 = 0

    init(store: any BlockStorage, buffers: BlockBufferPool, budget: BlockBudget) {
        self.store = store
        self.buffers = buffers
        self.budget = budget
    }

    /// Starts storing and hashing `block`, first waiting for the oldest blocks while the budget's depth are in
    /// flight.
    mutating func add(_ block: [UInt8]) async throws {
        while inFlight.count >= budget.depth { try await takeOldest() }
        let store = self.store
        let previous = hashed
        let hashing = Task {
            var whole = await previous?.value ?? SHA256()
            whole.update(data: block)
            return whole
        }
        hashed = hashing
        inFlight.append(InFlight(block: block, put: Task { try await store.put(block) }, hashed: hashing))
    }

    /// Waits for every put; after it, `refs` lists the whole file. Returns the file's SHA-256.
    mutating func finish() async throws -> SHA256Digest {
        while !inFlight.isEmpty { try await takeOldest() }
        return await hashed?.value.finalize() ?? SHA256().finalize()
    }

    /// Stops the puts still running (the upload failed); blocks they stored are unreferenced and collected later.
    mutating func abandon() async {
        for entry in inFlight { entry.put.cancel() }
        for entry in inFlight {
            _ = try? await entry.put.value
            _ = await entry.hashed.value
        }
        inFlight.removeAll()
    }

    private mutating func takeOldest() async throws {
        var oldest = inFlight.removeFirst()
        let result = try await oldest.put.value
        _ = await oldest.hashed.value
        buffers.recycle(&oldest.block)
        var ref = Fileflow_V1_BlockRef()
        ref.sha256 = result.digest.bytes
        ref.size = UInt32(result.size)
        ref.offset = refs.last.map { $0.offset + UInt64($0.size) } ?? 0
        refs.append(ref)
        if !result.written { deduplicated += 1 }
    }
}
