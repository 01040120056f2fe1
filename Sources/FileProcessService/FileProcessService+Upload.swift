import BlockStore
import FlowMessages
import MeshRPC
import MeshRPCProto
import PostgresStore
import ServiceKit

extension FileProcessService {
    /// Client-streaming upload: header first, then content chunks in order.
    ///
    /// The quota is checked against the declared size before a byte is stored. Blocks are stored and hashed as they
    /// fill, a few at once while the stream goes on (`BlockPipeline`; `BlockBudget` bounds the blocks all uploads
    /// hold together), and committed only after the whole stream arrived, its size and digest matched what the
    /// header declared, and every block is durable. A stream that breaks off commits nothing; blocks it stored are unreferenced and
    /// garbage-collected later.
    func upload(_ request: StreamingServerRequest<Fileflow_V1_UploadRequest>) async throws -> Fileflow_V1_UploadResponse {
        let owner = try Caller(request.metadata).required()
        var messages = request.messages.makeAsyncIterator()
        guard let first = try await messages.next(), case .header(let header)? = first.part else {
            throw RPCError.invalid("the first UploadRequest must carry the header")
        }
        try Self.validate(header)
        try await reserve(owner: owner, size: header.hasSize ? header.size : 0)

        let buffers = BlockBufferPool()
        var chunker = BlockChunker(blockSize: Self.blockSize, buffers: buffers)
        var pipeline = BlockPipeline(store: blocks, buffers: buffers, budget: uploadBudget)
        var received: UInt64 = 0
        let digest: [UInt8] = try await uploadBudget.admitting {
            do {
                while let message = try await messages.next() {
                    guard case .chunk(let bytes)? = message.part else {
                        throw RPCError.invalid("only the first UploadRequest may carry a header")
                    }
                    received += UInt64(bytes.count)
                    if header.hasSize && received > header.size {
                        throw RPCError(code: .outOfRange, message: "more than the declared \(header.size) bytes were sent")
                    }
                    try await chunker.append(bytes) { try await pipeline.add($0) }
                }
                try await chunker.finish { try await pipeline.add($0) }
                return Array(try await pipeline.finish())
            } catch {
                await pipeline.abandon()
                throw error
            }
        }
        if header.hasSize && received != header.size {
            throw RPCError(code: .dataLoss, message: "\(received) bytes arrived but \(header.size) were declared")
        }
        if !header.expectedSha256.isEmpty && header.expectedSha256 != digest {
            throw RPCError(code: .dataLoss, message: "the content's SHA-256 differs from expected_sha256")
        }

        var commit = Fileflow_V1_CommitFileRequest()
        commit.ownerID = owner
        commit.name = header.name
        commit.contentType = header.contentType
        commit.size = received
        commit.sha256 = digest
        commit.blocks = pipeline.refs
        commit.uploadID = header.uploadID
        commit.labels = header.labels
        let file = try await metadata.unary(
            Fileflow_V1_MetadataService.Method.CommitFile.self,
            ClientRequest(metadata: Caller.metadata(for: owner), message: commit)
        ).message
        let version = Int(file.currentVersion.version)
        let job = try await store.jobForVersion(fileID: file.fileID, version: version)
        var response = Fileflow_V1_UploadResponse()
        response.file = file
        response.deduplicatedBlocks = pipeline.deduplicated
        response.jobID = job.jobID
        return response
    }

    /// RESOURCE_EXHAUSTED from the metadata service when `size` would pass the owner's quota.
    private func reserve(owner: String, size: UInt64) async throws {
        var request = Fileflow_V1_ReserveUploadRequest()
        request.ownerID = owner
        request.size = size
        _ = try await metadata.unary(
            Fileflow_V1_MetadataService.Method.ReserveUpload.self,
            ClientRequest(metadata: Caller.metadata(for: owner), message: request))
    }

    /// What can be refused before any byte is stored; the metadata service checks the rest again at commit.
    static func validate(_ header: Fileflow_V1_UploadHeader) throws {
        try FileNaming.validate(name: header.name, contentType: header.contentType)
        guard header.expectedSha256.isEmpty || header.expectedSha256.count == 32 else {
            throw RPCError.invalid("expected_sha256 must be 32 bytes")
        }
        guard header.uploadID.utf8.count <= 128 else { throw RPCError.invalid("upload_id is too long") }
        do {
            try FileLabels.validate(header.labels)
        } catch {
            throw RPCError.from(error)
        }
    }
}
