import Crypto
import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

extension MetadataService {
    static let maxBlockBytes = 4 << 20
    static let maxUploadIDBytes = 128
    static let eventTextBytes = 64 << 10

    /// Records a file, or a new version of the caller's live file of the same name, with its block list and a
    /// `file-uploads` event, in one store transaction. A retried commit with the same `upload_id` returns the file
    /// the first one committed: the event id is derived from (owner, upload id), and the outbox's unique event id
    /// makes the retry find it instead of writing a second version.
    func commitFile(_ request: Fileflow_V1_CommitFileRequest, caller: Caller) async throws -> Fileflow_V1_FileMetadata {
        let owner = try requireID(request.ownerID, "owner_id")
        try caller.requireSelf(owner)
        let blocks = try validateCommit(request)
        let eventID = request.uploadID.isEmpty ? newUUID() : Self.eventID(owner: owner, uploadID: request.uploadID)
        if !request.uploadID.isEmpty, let committed = try await committedFile(eventID: eventID) {
            return committed
        }
        let upload = NewFileVersion(
            fileID: newUUID(), ownerID: owner, name: request.name, contentType: request.contentType,
            size: Int64(request.size), sha256: request.sha256, blocks: blocks,
            labels: request.labels.isEmpty ? nil : request.labels, addsToSameNamedFile: true)
        let announce: @Sendable (String, Int) -> [OutboxMessage] = { fileID, version in
            [OutboxMessage.fileEvent(id: eventID, topic: "file-uploads", fileID: fileID, actor: owner) { event in
                var file = Fileflow_V1_FileMetadata()
                file.fileID = fileID
                file.ownerID = owner
                file.name = request.name
                file.contentType = request.contentType
                file.size = request.size
                file.sha256 = request.sha256
                file.status = .uploaded
                var uploaded = Fileflow_V1_FileUploaded()
                uploaded.file = file
                uploaded.version = UInt32(clamping: version)
                event.uploaded = uploaded
            }]
        }
        let record: FileRecord
        do {
            record = try await store.commitFile(upload, events: announce)
        } catch let error as PostgresError where error.code == .uniqueViolation && !request.uploadID.isEmpty {
            // A concurrent retry of the same upload won the race; answer with its result.
            guard let committed = try await committedFile(eventID: eventID) else { throw error }
            return committed
        } catch let error as PostgresError where error.code == .foreignKeyViolation {
            // The file's only reference to a row that must exist is its owner's (blocks are inserted first).
            throw RPCError.notFound("no such user")
        }
        await invalidate(fileID: record.fileID)
        let current = try await store.version(fileID: record.fileID, version: record.currentVersion)
        return Fileflow_V1_FileMetadata(record, permission: 3, version: current)
    }

    func getFile(_ request: Fileflow_V1_GetFileRequest, caller: Caller) async throws -> Fileflow_V1_FileMetadata {
        let (file, permission) = try await visibleFile(request.fileID, caller: caller,
                                                       includeTrashed: request.includeTrashed)
        let current = try await store.version(fileID: file.fileID, version: file.currentVersion)
        return Fileflow_V1_FileMetadata(file, permission: permission, version: current)
    }

    /// The caller's own files (live, or the trash with `trashed`) in the requested order, keyset-paginated.
    /// Entries carry no block lists (`GetFile` does).
    func listFiles(_ request: Fileflow_V1_ListFilesRequest, caller: Caller) async throws -> Fileflow_V1_ListFilesResponse {
        let user = try caller.required()
        let page = try KeysetPage(request)
        let records = try await store.listFiles(
            ownerID: user, limit: page.size + 1, order: page.order, after: page.after, trashed: request.trashed)
        return page.response(records.map { ($0, 3) })
    }

    /// Live files others shared with the caller: newest share first, paginated by position, or in a requested
    /// order, keyset-paginated like `listFiles`. The trash holds only the caller's own files.
    func listSharedWithMe(_ request: Fileflow_V1_ListFilesRequest, caller: Caller) async throws
        -> Fileflow_V1_ListFilesResponse
    {
        let user = try caller.required()
        guard !request.trashed else { throw RPCError.invalid("the trash holds only the caller's own files") }
        if request.sort != .unspecified {
            let page = try KeysetPage(request)
            return page.response(
                try await store.sharedWith(userID: user, limit: page.size + 1, order: page.order, after: page.after))
        }
        let size = PageToken.pageSize(request.page.pageSize)
        let offset: Int
        switch try PageToken.parse(request.page.pageToken) {
        case .offset(let value)?: offset = value
        case .after?: throw RPCError.invalid("page_token belongs to another list or order")
        case nil: offset = 0
        }
        let records = try await store.sharedWith(userID: user, limit: offset + size + 1)
        var response = Fileflow_V1_ListFilesResponse()
        response.files = records.dropFirst(offset).prefix(size).map {
            Fileflow_V1_FileMetadata($0.file, permission: $0.permission)
        }
        response.page = Fileflow_V1_PageResponse()
        if records.count > offset + size { response.page.nextPageToken = PageToken.offset(offset + size).encoded }
        return response
    }
    /// Processing's outcome for a file (and its job, when named), with a `file-processing` event for final states.
    func updateFileStatus(_ request: Fileflow_V1_UpdateFileStatusRequest, caller: Caller) async throws
        -> Fileflow_V1_FileMetadata
    {
        let fileID = try requireID(request.fileID, "file_id")
        let status = request.status.rawValue
        guard (1...5).contains(status) else { throw RPCError.invalid("status must be a known FILE_STATUS") }
        guard request.detectedType.utf8.count <= 255 else { throw RPCError.invalid("detected_type is too long") }
        guard (0...1).contains(request.progress) else { throw RPCError.invalid("progress must be within 0 and 1") }
        guard request.extractedText.utf8.count <= FileFlowStore.Limits.extractedTextBytes else {
            throw RPCError.invalid("extracted_text is longer than \(FileFlowStore.Limits.extractedTextBytes) bytes")
        }
        guard !request.extractedText.utf8.contains(0) else { throw RPCError.invalid("extracted_text contains NUL") }
        guard request.reason.utf8.count <= FileFlowStore.Limits.reasonBytes else {
            throw RPCError.invalid("reason is longer than \(FileFlowStore.Limits.reasonBytes) bytes")
        }
        let jobID = request.jobID.isEmpty ? nil : try requireID(request.jobID, "job_id")
        if caller.userID != nil {
            let (_, permission) = try await visibleFile(fileID, caller: caller)
            guard permission >= 2 else { throw RPCError(code: .permissionDenied, message: "read-only share") }
        }
        let final = [3, 4, 5].contains(status)
        let events: @Sendable (String, Int) -> [OutboxMessage] = { owner, version in
            guard final else { return [] }
            return [OutboxMessage.fileEvent(topic: "file-processing", fileID: fileID, actor: owner) { event in
                var processed = Fileflow_V1_FileProcessed()
                processed.version = UInt32(clamping: version)
                processed.status = request.status
                processed.detectedType = request.detectedType
                processed.reason = request.reason
                // Events stay well under Kafka's 1 MB message limit; the whole text is kept in Postgres.
                processed.extractedText = request.extractedText.utf8Prefix(maxBytes: Self.eventTextBytes)
                processed.jobID = jobID ?? ""
                event.processed = processed
            }]
        }
        let job = jobID.map { jobID in
            JobUpdate(
                jobID: jobID, state: Self.jobState(forStatus: status), progress: final ? 1 : request.progress,
                error: status == 5 ? request.reason : "")
        }
        guard let updated = try await store.setStatus(
            fileID: fileID, status: Int(status), detectedType: request.detectedType.isEmpty ? nil : request.detectedType,
            extractedText: final ? request.extractedText : nil, reason: final ? request.reason : nil, job: job,
            events: events)
        else { throw RPCError.notFound("file \(fileID) not found") }
        await invalidate(fileID: fileID)
        let current = try await store.version(fileID: fileID, version: updated.currentVersion)
        return Fileflow_V1_FileMetadata(updated, permission: caller.userID == nil ? 3 : 2, version: current)
    }

    /// A job's state (queued 1, running 2, done 3, failed 4) for the file status processing reports.
    static func jobState(forStatus status: Int32) -> Int {
        switch status {
        case 1: 1
        case 2: 2
        case 5: 4
        default: 3
        }
    }

    func getJob(_ request: Fileflow_V1_GetJobRequest, caller: Caller) async throws -> Fileflow_V1_Job {
        let id = try requireID(request.jobID, "job_id")
        guard let job = try await store.job(id: id) else { throw RPCError.notFound("job \(id) not found") }
        if caller.userID != nil { _ = try await visibleFile(job.fileID, caller: caller, includeTrashed: true) }
        return Fileflow_V1_Job(job)
    }

    /// Checks what the store cannot: digests' sizes, block sizes, and that blocks tile the file exactly.
    private func validateCommit(_ request: Fileflow_V1_CommitFileRequest) throws -> [BlockRecord] {
        try FileNaming.validate(name: request.name, contentType: request.contentType)
        guard request.uploadID.utf8.count <= Self.maxUploadIDBytes else { throw RPCError.invalid("upload_id is too long") }
        guard request.sha256.count == 32 else { throw RPCError.invalid("sha256 must be 32 bytes") }
        guard request.size <= UInt64(Int64.max) else { throw RPCError.invalid("size is out of range") }
        var offset: UInt64 = 0
        var blocks: [BlockRecord] = []
        blocks.reserveCapacity(request.blocks.count)
        for (index, block) in request.blocks.enumerated() {
            guard block.sha256.count == 32 else { throw RPCError.invalid("block \(index): sha256 must be 32 bytes") }
            guard block.size > 0, block.size <= Self.maxBlockBytes else {
                throw RPCError.invalid("block \(index): size must be 1 to \(Self.maxBlockBytes) bytes")
            }
            guard block.offset == offset else {
                throw RPCError.invalid("block \(index): offset \(block.offset) should be \(offset)")
            }
            guard case .none = block.compression else {
                throw RPCError.invalid("block \(index): blocks are committed uncompressed")
            }
            blocks.append(BlockRecord(sha256: block.sha256, size: Int(block.size), offset: Int64(block.offset)))
            offset += UInt64(block.size)
        }
        guard offset == request.size else {
            throw RPCError.invalid("blocks cover \(offset) bytes but size is \(request.size)")
        }
        return blocks
    }

    /// The file an earlier commit with this event id wrote, when its outbox row is still there.
    private func committedFile(eventID: String) async throws -> Fileflow_V1_FileMetadata? {
        guard let row = try await store.database.query(
            "SELECT message_key FROM outbox WHERE event_id = $1", [.text(eventID)]
        ).first, let file = try await store.file(id: try row.string(0)) else { return nil }
        let current = try await store.version(fileID: file.fileID, version: file.currentVersion)
        return Fileflow_V1_FileMetadata(file, permission: 3, version: current)
    }

    /// A UUID (version 5 layout over SHA-256) naming one upload of one owner.
    static func eventID(owner: String, uploadID: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("fileflow-commit\0\(owner)\0\(uploadID)".utf8)).prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x50
        bytes[8] = bytes[8] & 0x3F | 0x80
        let text = hex(bytes)
        let cuts = [8, 12, 16, 20]
        var result = ""
        for (index, character) in text.enumerated() {
            if cuts.contains(index) { result.append("-") }
            result.append(character)
        }
        return result
    }
}
