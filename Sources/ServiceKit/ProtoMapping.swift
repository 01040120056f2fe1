public import FlowMessages
public import PostgresStore

/// Store records to the protobuf messages clients see. Password hashes never cross this line.
extension Google_Protobuf_Timestamp {
    public init(micros: Int64) {
        self.init()
        let (seconds, remainder) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        if remainder < 0 {
            self.seconds = seconds - 1
            nanos = Int32((remainder + 1_000_000) * 1000)
        } else {
            self.seconds = seconds
            nanos = Int32(remainder * 1000)
        }
    }
}

extension Fileflow_V1_User {
    public init(_ record: UserRecord) {
        self.init()
        userID = record.userID
        username = record.username
        email = record.email
        displayName = record.displayName
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
        isAdmin = record.isAdmin
    }
}

extension Fileflow_V1_BlockRef {
    public init(_ record: BlockRecord) {
        self.init()
        sha256 = record.sha256
        size = UInt32(clamping: record.size)
        offset = UInt64(clamping: record.offset)
        compression = Fileflow_V1_Compression(rawValue: Int32(clamping: record.compression))
        storedSize = UInt32(clamping: record.storedSize)
    }
}

extension Fileflow_V1_FileVersion {
    public init(_ record: VersionRecord) {
        self.init()
        version = UInt32(clamping: record.version)
        size = UInt64(clamping: record.size)
        sha256 = record.sha256
        blocks = record.blocks.map(Fileflow_V1_BlockRef.init)
        contentType = record.contentType
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
    }
}

extension Fileflow_V1_FileMetadata {
    /// `permission` is the caller's (3 owner, 2 write, 1 read); `version` adds the current block list when loaded.
    public init(_ record: FileRecord, permission: Int, version: VersionRecord? = nil) {
        self.init()
        fileID = record.fileID
        ownerID = record.ownerID
        ownerUsername = record.ownerUsername
        name = record.name
        contentType = record.contentType
        size = UInt64(clamping: record.size)
        sha256 = record.sha256
        status = Fileflow_V1_FileStatus(rawValue: Int32(clamping: record.status))
        if let version { currentVersion = Fileflow_V1_FileVersion(version) }
        versionCount = UInt32(clamping: record.versionCount)
        detectedType = record.detectedType
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
        updatedAt = Google_Protobuf_Timestamp(micros: record.updatedAtMicros)
        if let deleted = record.deletedAtMicros { deletedAt = Google_Protobuf_Timestamp(micros: deleted) }
        self.permission = Fileflow_V1_Permission(rawValue: Int32(clamping: permission))
        labels = record.labels
    }
}

extension Fileflow_V1_Share {
    public init(_ record: ShareRecord) {
        self.init()
        fileID = record.fileID
        userID = record.userID
        username = record.username
        permission = Fileflow_V1_Permission(rawValue: Int32(clamping: record.permission))
        grantedBy = record.grantedBy
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
    }
}

extension Fileflow_V1_Job {
    public init(_ record: JobRecord) {
        self.init()
        jobID = record.jobID
        fileID = record.fileID
        version = UInt32(clamping: record.version)
        state = Fileflow_V1_JobState(rawValue: Int32(clamping: record.state))
        progress = record.progress
        stage = record.stage
        error = record.error
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
        updatedAt = Google_Protobuf_Timestamp(micros: record.updatedAtMicros)
    }
}

extension Fileflow_V1_Quota {
    /// No quota row means no limit: `limit_bytes` 0.
    public init(userID: String, _ record: QuotaRecord?) {
        self.init()
        self.userID = userID
        usedBytes = UInt64(clamping: record?.usedBytes ?? 0)
        limitBytes = UInt64(clamping: record?.limitBytes ?? 0)
    }
}
