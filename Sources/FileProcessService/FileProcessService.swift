import BlockStore
public import FlowMessages
public import MeshRPC
import MeshRPCProto
public import PostgresStore
import ServiceKit

/// `fileflow.v1.FileProcessService`: content into and out of the block store, and processing on demand.
///
/// Upload cuts the stream into 4 MiB blocks, stores each once under its SHA-256 (dedup), and commits the file
/// through the metadata service; Download streams a version (or a byte range of it) back from the blocks. Who may
/// see a file is the metadata service's decision: both ask it with the caller's identity.
public final class FileProcessService: Sendable {
    public static let blockSize = 4 << 20
    /// Size of the DATA messages Download sends.
    static let downloadPieceSize = 256 << 10

    let metadata: RPCClient
    let blocks: any BlockStorage
    let store: FileFlowStore
    let pipeline: ProcessingPipeline
    let uploadBudget = BlockBudget()

    public init(metadata: RPCClient, blocks: any BlockStorage, store: FileFlowStore, pipeline: ProcessingPipeline) {
        self.metadata = metadata
        self.blocks = blocks
        self.store = store
        self.pipeline = pipeline
    }

    public func register(in router: inout RPCRouter) {
        typealias M = Fileflow_V1_FileProcessService.Method
        router.clientStreaming(M.Upload.self) { request, _ in
            do { return ServerResponse(message: try await self.upload(request)) } catch { throw RPCError.from(error) }
        }
        router.serverStreaming(M.Download.self) { request, _ in
            do { return try await self.download(request) } catch { throw RPCError.from(error) }
        }
        router.unary(M.Reprocess.self, withCaller: reprocess)
    }

    /// A file the caller may see, as the metadata service answers it (NOT_FOUND otherwise).
    func visibleFile(_ fileID: String, caller: String) async throws -> Fileflow_V1_FileMetadata {
        var request = Fileflow_V1_GetFileRequest()
        request.fileID = try requireID(fileID, "file_id")
        return try await metadata.unary(
            Fileflow_V1_MetadataService.Method.GetFile.self,
            ClientRequest(metadata: Caller.metadata(for: caller), message: request)
        ).message
    }

    func reprocess(_ request: Fileflow_V1_ReprocessRequest, caller: Caller) async throws -> Fileflow_V1_Job {
        let file = try await visibleFile(request.fileID, caller: try caller.required())
        guard file.permission == .owner || file.permission == .write else {
            throw RPCError(code: .permissionDenied, message: "reprocessing needs write permission")
        }
        let job = try await store.createJob(fileID: file.fileID, version: Int(file.currentVersion.version))
        let pipeline = self.pipeline
        Task {
            try? await pipeline.process(
                fileID: file.fileID, name: file.name, version: Int(file.currentVersion.version), job: job)
        }
        return Fileflow_V1_Job(job)
    }
}
