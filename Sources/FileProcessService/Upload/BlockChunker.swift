/// Cuts a stream of arbitrary-sized chunks into blocks of exactly `blockSize` bytes (the last one shorter), so
/// that block boundaries — and therefore dedup — depend only on the content, never on how it was chunked on the
/// wire. Holds at most one block in memory.
struct BlockChunker {
    let blockSize: Int
    private var buffer: [UInt8] = []

    init(blockSize: Int) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
    }

    /// Appends `bytes`, calling `emit` with every block that became full, in order.
    mutating func append(_ bytes: [UInt8], emit: ([UInt8]) async throws -> Void) async throws {
        var start = 0
        while start < bytes.count {
            if buffer.isEmpty && bytes.count - start >= blockSize {
                // A whole block inside the chunk: hand it over without staging it in the buffer.
                try await emit(Array(bytes[start..<start + blockSize]))
                start += blockSize
                continue
            }
            if buffer.capacity < blockSize { buffer.reserveCapacity(blockSize) }
            let take = min(blockSize - buffer.count, bytes.count - start)
            buffer.append(contentsOf: bytes[start..<start + take])
            start += take
            if buffer.count == blockSize {
                let block = buffer
                buffer.removeAll(keepingCapacity: true)
                try await emit(block)
            }
        }
    }

    /// Emits the last, partial block, if any.
    mutating func finish(emit: ([UInt8]) async throws -> Void) async throws {
        guard !buffer.isEmpty else { return }
        let block = buffer
        buffer = []
        try await emit(block)
    }
}
