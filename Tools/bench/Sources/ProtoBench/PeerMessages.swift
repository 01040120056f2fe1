import Foundation
import SwiftProtobuf
import SwiftProtobufPeer

/// The fixtures as apple/swift-protobuf 1.39.0 messages (its generated code in `SwiftProtobufPeer`).
extension SwiftProtobufPeer.Fileflow_V1_FileMetadata {
    init(_ file: FileFixture) {
        self.init()
        fileID = file.fileID
        ownerID = file.ownerID
        ownerUsername = file.ownerUsername
        name = file.name
        contentType = file.contentType
        size = file.size
        sha256 = Data(file.sha256)
        status = .processed
        currentVersion.version = file.version
        currentVersion.size = file.size
        currentVersion.blocks = file.blocks.map { block in
            var ref = SwiftProtobufPeer.Fileflow_V1_BlockRef()
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

extension SwiftProtobufPeer.Fileflow_V1_TransferProgress {
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

extension SwiftProtobufPeer.Fileflow_V1_DownloadChunk {
    init(_ chunk: ChunkFixture) {
        self.init()
        offset = chunk.offset
        data = Data(chunk.data)
    }
}

extension SwiftProtobufPeer.Fileflow_V1_ListFilesResponse {
    init(_ list: ListFixture) {
        self.init()
        files = list.files.map(SwiftProtobufPeer.Fileflow_V1_FileMetadata.init)
        page.nextPageToken = list.nextPageToken
    }
}

/// swift-protobuf's codec from and to `[UInt8]`, the same buffer type ours reads and writes.
protocol PeerBenchMessage: BenchMessage, SwiftProtobuf.Message {}

extension PeerBenchMessage {
    @inline(__always)
    init(benchBytes bytes: [UInt8]) throws {
        try self.init(serializedBytes: bytes)
    }

    @inline(__always)
    func benchBytes() throws -> [UInt8] {
        try serializedBytes()
    }
}

extension SwiftProtobufPeer.Fileflow_V1_FileMetadata: PeerBenchMessage {}
extension SwiftProtobufPeer.Fileflow_V1_TransferProgress: PeerBenchMessage {}
extension SwiftProtobufPeer.Fileflow_V1_DownloadChunk: PeerBenchMessage {}
extension SwiftProtobufPeer.Fileflow_V1_ListFilesResponse: PeerBenchMessage {}
