extension FileFlowStore {
    /// Queues a processing job (state 1, queued) for a file version.
    public func createJob(fileID: String, version: Int) async throws -> JobRecord {
        try await database.transaction { try await $0.createJob(fileID: fileID, version: version) }
    }

    /// Records a job's progress; `nil` when there is no such job.
    public func updateJob(_ update: JobUpdate) async throws -> JobRecord? {
        try update.validate()
        return try await database.transaction { try await $0.updateJob(update) }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await database.query("SELECT \(Self.jobColumns) FROM jobs WHERE job_id = $1", [.text(id)]).first.map(Self.job)
    }

    static let jobColumns =
        "job_id, file_id, version, state, progress, stage, error, \(micros("created_at")), \(micros("updated_at"))"
    /// How many columns `jobColumns` has: a query's own columns after them start here.
    static let jobColumnCount = 9

    static func job(_ row: PostgresRow) throws -> JobRecord {
        JobRecord(
            jobID: try row.string(0), fileID: try row.string(1), version: Int(try row.int(2)), state: Int(try row.int(3)),
            progress: try row.double(4), stage: try row.string(5), error: try row.string(6),
            createdAtMicros: try row.int(7), updatedAtMicros: try row.int(8)
        )
    }
}

/// A job's new state, progress, stage and error.
public struct JobUpdate: Sendable {
    public var jobID: String
    public var state: Int
    public var progress: Double
    public var stage: String
    public var error: String

    public init(jobID: String, state: Int, progress: Double, stage: String = "", error: String = "") {
        self.jobID = jobID
        self.state = state
        self.progress = progress
        self.stage = stage
        self.error = error
    }

    func validate() throws {
        try FileFlowStore.requireLength(stage, "stage", max: 64, allowEmpty: true)
        try FileFlowStore.requireLength(error, "error", max: 4096, allowEmpty: true)
        guard (0...1).contains(progress) else { throw PostgresError(.invalidParameter, "progress \(progress) is not in 0...1") }
    }
}

extension PostgresSession {
    func createJob(fileID: String, version: Int) async throws -> JobRecord {
        try FileFlowStore.job(try await query(
            "INSERT INTO jobs (job_id, file_id, version, state) VALUES ($1, $2, $3, 1) RETURNING \(FileFlowStore.jobColumns)",
            [.text(newUUID()), .text(fileID), .int(version)]
        ).first!)
    }

    func updateJob(_ update: JobUpdate) async throws -> JobRecord? {
        try await query(
            """
            UPDATE jobs SET state = $2, progress = $3, stage = $4, error = $5, updated_at = now()
            WHERE job_id = $1 RETURNING \(FileFlowStore.jobColumns)
            """,
            [.text(update.jobID), .int(update.state), .double(update.progress), .text(update.stage), .text(update.error)]
        ).first.map(FileFlowStore.job)
    }
}

extension FileFlowStore {
    /// The newest job for a file version, if one was queued.
    public func latestJob(fileID: String, version: Int) async throws -> JobRecord? {
        try await database.query(
            "SELECT \(Self.jobColumns) FROM jobs WHERE file_id = $1 AND version = $2 ORDER BY created_at DESC LIMIT 1",
            [.text(fileID), .int(version)]
        ).first.map(Self.job)
    }

    /// The name of a live file whose current version is `version`, with that version's newest job (queued now
    /// when there is none yet); `nil` when the file is gone, trashed or at another version. What processing checks
    /// before it starts, read in one statement.
    public func jobForCurrentVersion(fileID: String, version: Int) async throws -> (fileName: String, job: JobRecord)? {
        guard let row = try await database.query(
            """
            SELECT j.*, f.name FROM files f
            LEFT JOIN LATERAL (
                SELECT \(Self.jobColumns) FROM jobs WHERE file_id = f.file_id AND version = $2
                ORDER BY created_at DESC LIMIT 1) j ON true
            WHERE f.file_id = $1 AND f.deleted_at IS NULL AND f.current_version = $2
            """,
            [.text(fileID), .int(version)]
        ).first else { return nil }
        let name = try row.string(Self.jobColumnCount)
        if row.isNull(0) { return (name, try await createJob(fileID: fileID, version: version)) }
        return (name, try Self.job(row))
    }

    /// The newest job for a file version, queuing one when there is none yet.
    public func jobForVersion(fileID: String, version: Int) async throws -> JobRecord {
        if let job = try await latestJob(fileID: fileID, version: version) { return job }
        return try await createJob(fileID: fileID, version: version)
    }
}
