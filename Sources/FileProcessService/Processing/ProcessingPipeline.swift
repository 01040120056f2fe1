import BlockStore
public import FlowMessages
import Foundation
public import MeshRPC
import MeshRPCProto
public import PostgresStore
import ServiceKit

/// Processing of an uploaded version, fed by `file-uploads`: virus scan (when clamd is configured), type
/// detection by magic bytes, text extraction for text-like files and PDFs, then the outcome through the metadata
/// service, which records it and announces it on `file-processing`.
///
/// Idempotent by state: a redelivered event for a version whose job already finished, or for a version that is no
/// longer current, does nothing. Outages (metadata or Postgres unavailable) are thrown, so the event is retried;
/// anything wrong with the content itself fails the file with a reason instead.
public struct ProcessingPipeline: Sendable {
    let metadata: RPCClient
    let store: FileFlowStore
    let blocks: any BlockStorage
    let reader: ContentReader
    let scanner: ClamdScanner?
    /// Files larger than this are not sent to clamd (its StreamMaxLength); they are processed unscanned.
    let scanMaxBytes: UInt64

    public init(
        metadata: RPCClient, store: FileFlowStore, blocks: any BlockStorage, scanner: ClamdScanner?,
        scanMaxBytes: UInt64 = 1 << 30
    ) {
        self.metadata = metadata
        self.store = store
        self.blocks = blocks
        self.reader = ContentReader(blocks: blocks)
        self.scanner = scanner
        self.scanMaxBytes = scanMaxBytes
    }

    /// Handles one event of `file-uploads`.
    public func handle(_ event: Fileflow_V1_FileEvent) async throws {
        guard case .uploaded(let uploaded)? = event.kind else { return }
        let version = Int(uploaded.version)
        guard let (name, job) = try await store.jobForCurrentVersion(fileID: event.fileID, version: version) else {
            return  // deleted, trashed or replaced meanwhile
        }
        guard job.state != 3 && job.state != 4 else { return }  // finished already: a redelivery
        try await process(fileID: event.fileID, name: name, version: version, job: job)
    }

    /// Runs every stage for one version of the file called `name` and records the outcome.
    func process(fileID: String, name: String, version: Int, job: JobRecord) async throws {
        guard let content = try await store.version(fileID: fileID, version: version) else { return }
        // Progress is worth a metadata transaction (and a live event) only when processing takes a while.
        let reportsProgress = content.size >= Self.progressReportMinBytes
        do {
            if reportsProgress { try await report(fileID, .processing, job: job, progress: 0.1) }
            if let scanner, UInt64(content.size) <= scanMaxBytes {
                let blocks = content.blocks
                let size = UInt64(content.size)
                let reader = self.reader
                let verdict = try await scanner.scan { send in
                    try await reader.read(blocks, range: 0..<size, pieceSize: 1 << 20) { _, bytes in try await send(bytes) }
                }
                if case .infected(let signature) = verdict {
                    return try await report(fileID, .quarantined, job: job, reason: "virus found: \(signature)")
                }
                if reportsProgress { try await report(fileID, .processing, job: job, progress: 0.5) }
            }
            let head = try await reader.prefix(content.blocks, count: TypeDetector.sniffBytes)
            let type = TypeDetector.detect(prefix: head[...], name: name)
            var text = ""
            if TypeDetector.isTextLike(type) {
                text = TextExtractor.extract(try await reader.prefix(content.blocks, count: TextExtractor.maxInputBytes),
                                             type: type)
            } else if type == "pdf" {
                text = try await pdfText(content) ?? ""
            }
            try await compressBlocks(content, type: type)
            try await report(fileID, .processed, job: job, type: type, text: text)
        } catch let error as RPCError where error.code == .notFound {
            return  // deleted or purged meanwhile: nothing left to process
        } catch let error as RPCError where [.unavailable, .deadlineExceeded, .aborted].contains(error.code) {
            throw error
        } catch let error as PostgresError where [.connectionFailed, .timeout].contains(error.code) {
            throw error
        } catch let error as BlockStoreError {
            try await report(fileID, .failed, job: job, reason: "content unreadable: \(error.message)")
        } catch let error as ClamdScanner.ScanError {
            try await report(fileID, .failed, job: job, reason: "virus scan failed: \(error.description)")
        }
    }

    /// Smaller files go from queued to their outcome in one report: they are done in milliseconds.
    static let progressReportMinBytes = 8 << 20

    static let fileSystemBlockBytes = 4096

    /// Types whose content is compressed already: deflating them again costs time and saves nothing.
    static let compressedTypes: Set<String> = [
        "png", "jpeg", "gif", "webp", "zip", "gzip", "bzip2", "xz", "zstd", "7z", "mp3", "mp4", "ogg", "flac",
    ]

    /// Stores the version's blocks compressed when that saves at least 10% each. The first block decides for the
    /// rest: when it does not compress, the file is taken as incompressible and left alone.
    private func compressBlocks(_ content: VersionRecord, type: String) async throws {
        guard !Self.compressedTypes.contains(type) else { return }
        var seen = Set<[UInt8]>()
        for (index, block) in content.blocks.enumerated() where seen.insert(block.sha256).inserted {
            // A block of one file-system block or less takes that block however well it compresses.
            guard block.compression == 0, block.size > Self.fileSystemBlockBytes else { continue }
            guard let stored = try await blocks.compress(try BlockDigest(bytes: block.sha256)) else {
                if index == 0 { return }
                continue
            }
            try await store.setBlockCompression(block.sha256, compression: 1, storedSize: stored)
        }
    }

    /// The text of a PDF of at most 256 MiB, written to a temporary file for `pdftotext`.
    private func pdfText(_ content: VersionRecord) async throws -> String? {
        guard content.size <= 256 << 20 else { return nil }
        let path = NSTemporaryDirectory() + "fileflow-pdf-\(UUID().uuidString).pdf"
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await reader.read(content.blocks, range: 0..<UInt64(content.size), pieceSize: 1 << 20) { _, bytes in
            try handle.write(contentsOf: bytes)
        }
        try handle.close()
        return TextExtractor.pdfText(path: path)
    }

    private func report(
        _ fileID: String, _ status: Fileflow_V1_FileStatus, job: JobRecord, progress: Double = 1, type: String = "",
        text: String = "", reason: String = ""
    ) async throws {
        var request = Fileflow_V1_UpdateFileStatusRequest()
        request.fileID = fileID
        request.status = status
        request.jobID = job.jobID
        request.progress = progress
        request.detectedType = type
        request.extractedText = text
        request.reason = reason.utf8Prefix(maxBytes: FileFlowStore.Limits.reasonBytes)
        _ = try await metadata.unary(Fileflow_V1_MetadataService.Method.UpdateFileStatus.self, ClientRequest(message: request))
    }
}
