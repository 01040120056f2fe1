internal import FlowJSON
internal import FlowMessages

/// The REST "File object" (REST.md): what a caller sees of a file, never its block list. Responses write it with
/// `writeMembers`; search results, which embed it, encode it (a test compares the two).
struct FileRepresentation: SnakeCaseCodingKeys, JSONWritable, Sendable {
    var fileID: String
    var name: String
    var size: UInt64
    var contentType: String
    var sha256: String
    var status: String
    var detectedType: String
    var ownerID: String
    var ownerUsername: String
    var permission: String
    var version: UInt32
    var versionCount: UInt32
    var createdAt: String
    var updatedAt: String
    var deletedAt: String?
    var labels: [String: String]
    /// Set on upload responses only: the processing job started for the new version.
    var jobID: String?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id", name, size, contentType = "content_type", sha256, status, detectedType = "detected_type"
        case ownerID = "owner_id", ownerUsername = "owner_username", permission, version, versionCount = "version_count"
        case createdAt = "created_at", updatedAt = "updated_at", deletedAt = "deleted_at", labels, jobID = "job_id"
    }

    init(_ file: Fileflow_V1_FileMetadata, jobID: String? = nil) {
        fileID = file.fileID
        name = file.name
        size = file.size
        contentType = file.contentType
        sha256 = Hex.string(file.sha256)
        status = Self.status(file.status)
        detectedType = file.detectedType
        ownerID = file.ownerID
        ownerUsername = file.ownerUsername
        permission = Self.permission(file.permission)
        // List entries carry no version record; the current version is then the newest, numbered by the count.
        version = file.hasCurrentVersion ? file.currentVersion.version : file.versionCount
        versionCount = file.versionCount
        createdAt = RFC3339.string(file.createdAt)
        updatedAt = RFC3339.string(file.updatedAt)
        deletedAt = RFC3339.optional(file.deletedAt, isSet: file.hasDeletedAt)
        labels = file.labels
        self.jobID = jobID
    }

    var expectedJSONBytes: Int { 768 }

    /// The members `CodingKeys` names, in their order; nil optionals are left out, as `Encodable` leaves them.
    func writeMembers(into object: inout JSONText) {
        object.field(CodingKeys.fileID.rawValue, fileID)
        object.field(CodingKeys.name.rawValue, name)
        object.field(CodingKeys.size.rawValue, size)
        object.field(CodingKeys.contentType.rawValue, contentType)
        object.field(CodingKeys.sha256.rawValue, sha256)
        object.field(CodingKeys.status.rawValue, status)
        object.field(CodingKeys.detectedType.rawValue, detectedType)
        object.field(CodingKeys.ownerID.rawValue, ownerID)
        object.field(CodingKeys.ownerUsername.rawValue, ownerUsername)
        object.field(CodingKeys.permission.rawValue, permission)
        object.field(CodingKeys.version.rawValue, UInt64(version))
        object.field(CodingKeys.versionCount.rawValue, UInt64(versionCount))
        object.field(CodingKeys.createdAt.rawValue, createdAt)
        object.field(CodingKeys.updatedAt.rawValue, updatedAt)
        if let deletedAt { object.field(CodingKeys.deletedAt.rawValue, deletedAt) }
        object.beginObject(CodingKeys.labels.rawValue)
        for (key, value) in labels { object.field(key, value) }
        object.endObject()
        if let jobID { object.field(CodingKeys.jobID.rawValue, jobID) }
    }

    static func status(_ status: Fileflow_V1_FileStatus) -> String {
        switch status {
        case .processing: "processing"
        case .processed: "processed"
        case .quarantined: "quarantined"
        case .failed: "failed"
        default: "uploaded"
        }
    }

    static func permission(_ permission: Fileflow_V1_Permission) -> String {
        switch permission {
        case .owner: "owner"
        case .write: "write"
        default: "read"
        }
    }
}

/// `{files, next_cursor}`; `next_cursor` is null on the last page (written explicitly, not omitted).
struct FilePage: JSONWritable, Sendable {
    var files: [FileRepresentation]
    var nextCursor: String?

    init(_ response: Fileflow_V1_ListFilesResponse) {
        files = response.files.map { FileRepresentation($0) }
        nextCursor = response.page.nextPageToken.isEmpty ? nil : response.page.nextPageToken
    }

    var expectedJSONBytes: Int { 64 + files.count * 640 }

    func writeMembers(into object: inout JSONText) {
        object.beginArray("files")
        for file in files {
            object.beginElementObject()
            file.writeMembers(into: &object)
            object.endObject()
        }
        object.endArray()
        if let nextCursor { object.field("next_cursor", nextCursor) } else { object.nullField("next_cursor") }
    }
}

struct ShareRepresentation: Encodable, Sendable {
    var fileID: String
    var userID: String
    var username: String
    var permission: String
    var createdAt: String

    init(_ share: Fileflow_V1_Share) {
        fileID = share.fileID
        userID = share.userID
        username = share.username
        permission = share.permission == .write ? "write" : "read"
        createdAt = RFC3339.string(share.createdAt)
    }
}

struct JobRepresentation: Encodable, Sendable {
    var jobID: String
    var fileID: String
    var state: String
    var progress: Double
    var stage: String
    var error: String

    init(_ job: Fileflow_V1_Job) {
        jobID = job.jobID
        fileID = job.fileID
        state = switch job.state {
        case .running: "running"
        case .succeeded: "succeeded"
        case .failed: "failed"
        default: "queued"
        }
        progress = job.progress.isFinite ? min(1, max(0, job.progress)) : 0
        stage = job.stage
        error = job.error
    }
}

/// Lower-case hex, the REST form of digests.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func string(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
