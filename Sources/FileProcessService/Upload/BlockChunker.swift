/// Cuts a stream of arbitrary-sized chunks into blocks of exactly `blockSize` bytes (the last one shorter), so
/// that block boundaries — and therefore dedup — depend only on the content, never on how it was chunked on the
/// wire. Holds at most one block in memory, filled in a buffer from `buffers`.
struct BlockChunker {
    let blockSize: Int
    private let buffers: BlockBufferPool
    private var buffer: [UInt8] = []

    init(blockSize: Int, buffers: BlockBufferPool = BlockBufferPool()) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
        self.buffers = buffers
    }

    /// Appends `bytes`, calling `emit` with every block that became full, in order.
    mutating func append(_ bytes: [UInt8], emit: ([UInt8]) async throws -> Void) async throws {
        var start = 0
        while start < bytes.count {
            if buffer.capacity < blockSize { buffer = buffers.take(capacity: blockSize) }
            let take = min(blockSize - buffer.count, bytes.count - start)
            buffer.append(contentsOf: bytes[start..<start + take])
            start += take
            if buffer.count == blockSize { try await emit(takeBuffer()) }
        }
    }

    /// Emits the last, partial block, if any.
    mutating func finish(emit: ([UInt8]) async throws -> Void) async throws {
        guard !buffer.isEmpty else { return }
        try await emit(takeBuffer())
    }

    /// The filled buffer, leaving none behind, so that the block handed on is its buffer's only reference.
    private mutating func takeBuffer() -> [UInt8] {
        let block = buffer
        buffer = []
        return block
    }
}
