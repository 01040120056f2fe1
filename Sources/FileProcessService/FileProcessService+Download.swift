import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

extension FileProcessService {
    /// Server-streaming download of the current version, or of `version`, or of a byte range of either. The first
    /// chunk carries the file's metadata; a quarantined file is refused.
    func download(_ request: ServerRequest<Fileflow_V1_DownloadRequest>) async throws
        -> StreamingServerResponse<Fileflow_V1_DownloadChunk>
    {
        let caller = try Caller(request.metadata).required()
        let file = try await visibleFile(request.message.fileID, caller: caller)
        guard file.status != .quarantined else {
            throw RPCError(code: .failedPrecondition, message: "file \(file.fileID) is quarantined: it failed the virus scan")
        }
        let wanted = request.message.version
        let blockList: [BlockRecord]
        let size: UInt64
        if wanted == 0 || wanted == file.currentVersion.version {
            blockList = file.currentVersion.blocks.map {
                BlockRecord(sha256: $0.sha256, size: Int($0.size), offset: Int64($0.offset))
            }
            size = file.currentVersion.size
        } else {
            guard let version = try await store.version(fileID: file.fileID, version: Int(wanted)) else {
                throw RPCError.notFound("file \(file.fileID) has no version \(wanted)")
            }
            blockList = version.blocks
            size = UInt64(version.size)
        }
        let offset = request.message.offset
        guard offset <= size else {
            throw RPCError(code: .outOfRange, message: "offset \(offset) is past the end (\(size) bytes)")
        }
        let length = request.message.length
        let end = length == 0 ? size : min(size, offset &+ length < offset ? size : offset + length)
        let reader = ContentReader(blocks: blocks)
        return StreamingServerResponse { writer in
            var first = true
            func chunk(at position: UInt64, _ data: ArraySlice<UInt8>) -> Fileflow_V1_DownloadChunk {
                var chunk = Fileflow_V1_DownloadChunk()
                if first { chunk.file = file }
                first = false
                chunk.offset = position
                chunk.data = Array(data)
                return chunk
            }
            try await reader.read(blockList, range: offset..<end, pieceSize: Self.downloadPieceSize) { position, data in
                try await writer.write(chunk(at: position, data))
            }
            if first { try await writer.write(chunk(at: offset, [])) }  // an empty range still gets the metadata
            return [:]
        }
    }
}
