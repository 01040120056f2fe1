import BlockStore
import PostgresStore

/// Reads a byte range of a file version from the block store, block by block, so memory holds one block at most
/// whatever the file's size. Every block is verified against its digest as it is read.
struct ContentReader: Sendable {
    let blocks: any BlockStorage

    /// Calls `body` with consecutive pieces of `range` (absolute offset, bytes), each at most `pieceSize` bytes.
    func read(
        _ blockList: [BlockRecord], range: Range<UInt64>, pieceSize: Int,
        _ body: (UInt64, ArraySlice<UInt8>) async throws -> Void
    ) async throws {
        for block in blockList {
            let start = UInt64(block.offset)
            let end = start + UInt64(block.size)
            guard start < range.upperBound, end > range.lowerBound else { continue }
            let local = Int(max(range.lowerBound, start) - start)..<Int(min(range.upperBound, end) - start)
            let bytes = try await blocks.read(try BlockDigest(bytes: block.sha256), range: local)
            var position = 0
            while position < bytes.count {
                try Task.checkCancellation()
                let next = min(bytes.count, position + pieceSize)
                try await body(start + UInt64(local.lowerBound + position), bytes[position..<next])
                position = next
            }
        }
    }

    /// The first `count` bytes of a version (fewer when it is shorter).
    func prefix(_ blockList: [BlockRecord], count: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        try await read(blockList, range: 0..<UInt64(count), pieceSize: count) { _, bytes in result += bytes }
        return result
    }
}
