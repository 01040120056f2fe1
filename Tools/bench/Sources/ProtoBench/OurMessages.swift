import FlowMessages
import ProtoWire

/// The fixtures as FileFlow's own generated messages (`FlowMessages`, runtime `ProtoWire`).
extension FlowMessages.Fileflow_V1_FileMetadata {
    init(_ file: FileFixture) {
        self.init()
        fileID = file.fileID
        ownerID = file.ownerID
        ownerUsername = file.ownerUsername
        name = file.name
        contentType = file.contentType
        size = file.size
        sha256 = file.sha256
        status = .processed
        currentVersion.version = file.version
        currentVersion.size = file.size
        currentVersion.blocks = file.blocks.map { block in
            var ref = FlowMessages.Fileflow_V1_BlockRef()
            ref.size = block.size
            ref.offset = block.offset
            return ref
        }
        currentVersion.createdAt.seconds = file.versionCreatedSeconds
        versionCount = file.version
        detectedType = file.detectedType
        createdAt.seconds = file.createdSeconds
        createdAt.nanos = file.createdNanos
        updatedAt.seconds = file.updatedSeconds
        permission = .owner
        labels[file.label.key] = file.label.value
    }
}

extension FlowMessages.Fileflow_V1_TransferProgress {
    init(_ progress: ProgressFixture) {
        self.init()
        bytesDone = progress.bytesDone
        bytesTotal = progress.bytesTotal
        blocksDone = progress.blocksDone
        blocksTotal = progress.blocksTotal
        bytesPerSecond = progress.bytesPerSecond
        etaMillis = progress.etaMillis
        startedAtMicros = progress.startedAtMicros
        finished = progress.finished
    }
}

extension FlowMessages.Fileflow_V1_DownloadChunk {
    init(_ chunk: ChunkFixture) {
        self.init()
        offset = chunk.offset
        data = chunk.data
    }
}

extension FlowMessages.Fileflow_V1_ListFilesResponse {
    init(_ list: ListFixture) {
        self.init()
        files = list.files.map(FlowMessages.Fileflow_V1_FileMetadata.init)
        page.nextPageToken = list.nextPageToken
    }
}

/// FileFlow's codec from and to `[UInt8]` (`ProtoMessage.init(serializedBytes:)` and `serializedBytes()`).
protocol OurBenchMessage: BenchMessage, ProtoMessage {}

extension OurBenchMessage {
    @inline(__always)
    init(benchBytes bytes: [UInt8]) throws {
        try self.init(serializedBytes: bytes)
    }

    @inline(__always)
    func benchBytes() -> [UInt8] {
        serializedBytes()
    }
}

extension FlowMessages.Fileflow_V1_FileMetadata: OurBenchMessage {}
extension FlowMessages.Fileflow_V1_TransferProgress: OurBenchMessage {}
extension FlowMessages.Fileflow_V1_DownloadChunk: OurBenchMessage {}
extension FlowMessages.Fileflow_V1_ListFilesResponse: OurBenchMessage {}
