internal import Crypto
import Foundation
internal import Hummingbird

/// The two data paths of TUS: bytes in (a PATCH body onto the staged file, durably) and the staged file out (into
/// the file-process service once complete).
extension GatewayAPI {
    /// Appends the request body at the upload's offset and makes it durable. With `Upload-Checksum` the bytes
    /// count only if the digest matches (460 otherwise); without, bytes received before a broken connection are
    /// kept, so the client resumes after them.
    func receive(_ request: Request, into upload: TusUpload, for caller: AuthenticatedUser) async throws
        -> TusUpload
    {
        let checksum = try TusChecksum(request.headers[.uploadChecksum])
        var hasher = checksum?.makeHasher()
        let file = try StagingFile.open(uploads.dataPath(upload.id))
        defer { file.close() }
        let reporter = ProgressReporter(
            client: mesh.notification, userID: caller.id, fileName: upload.fileName, total: upload.length)
        let room = upload.length - upload.offset
        var written: UInt64 = 0
        do {
            for try await buffer in request.body {
                let count = UInt64(buffer.readableBytes)
                guard count <= room - written else {
                    throw APIError(.contentTooLarge, "upload_length_exceeded",
                                   "the body goes past Upload-Length (\(upload.length))")
                }
                let position = upload.offset + written
                try await Blocking.run { try file.write(buffer.readableBytesView, at: position) }
                hasher?.update(buffer.readableBytesView)
                written += count
                statistics.uploaded(bytes: Int(count))
                reporter.report(upload.offset + written)
            }
        } catch {
            let keep = checksum == nil && !(error is APIError) ? written : 0
            try await Blocking.run {
                try file.truncate(to: upload.offset + keep)
                try file.sync()
            }
            if keep > 0 { try await uploads.save(advanced(upload, by: keep)) }
            throw error
        }
        if let checksum, let hasher, hasher.finalize() != checksum.expected {
            try await Blocking.run { try file.truncate(to: upload.offset) }
            throw APIError(.checksumMismatch, "checksum_mismatch", "the body does not match Upload-Checksum")
        }
        try await Blocking.run { try file.sync() }
        let updated = advanced(upload, by: written)
        try await uploads.save(updated)
        return updated
    }

    /// Streams a complete, uncommitted upload into the file-process service (idempotent on the TUS id), records
    /// the file, and frees the staged bytes.
    func commitIfComplete(_ upload: TusUpload, for caller: AuthenticatedUser) async throws -> TusUpload {
        guard upload.isComplete, upload.fileID == nil else { return upload }
        let file = try StagingFile.open(uploads.dataPath(upload.id))
        defer { file.close() }
        let length = upload.length
        let digest = try await Blocking.run {
            var hash = SHA256()
            var offset: UInt64 = 0
            while offset < length {
                let piece = try file.read(at: offset, count: 1 << 20)
                guard !piece.isEmpty else { throw StagingError("read \(file.path): ended early", EIO) }
                hash.update(data: piece)
                offset += UInt64(piece.count)
            }
            return Array(hash.finalize())
        }
        let labels = try LabelsText.parse(try TusMetadata(upload.metadata).text("labels"), from: "Upload-Metadata labels")
        let description = UploadPipe.Description(
            name: upload.fileName, contentType: upload.contentType, size: length, labels: labels)
        let response = try await uploadPipe.upload(
            for: caller, uploadID: "tus-" + upload.id, expectedSHA256: digest, fromClient: false
        ) { stream in
            try await stream.begin(description)
            var offset: UInt64 = 0
            while offset < length {
                let at = offset
                let piece = try await Blocking.run { try file.read(at: at, count: UploadPipe.chunkBytes) }
                guard !piece.isEmpty else { throw StagingError("read \(file.path): ended early", EIO) }
                try await stream.write(piece)
                offset += UInt64(piece.count)
            }
        }
        var committed = upload
        committed.fileID = response.file.fileID
        committed.jobID = response.jobID
        try await uploads.save(committed)
        await uploads.releaseData(upload.id)
        ProgressReporter(client: mesh.notification, userID: caller.id, fileName: upload.fileName, total: length)
            .finished(fileID: response.file.fileID)
        return committed
    }

    private func advanced(_ upload: TusUpload, by count: UInt64) -> TusUpload {
        var updated = upload
        updated.offset += count
        updated.expiresAt = Date().timeIntervalSince1970 + Double(configuration.tusExpirySeconds)
        return updated
    }
}
