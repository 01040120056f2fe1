extension FileFlowStore {
    /// Queues a processing job (state 1, queued) for a file version.
    public func createJob(fileID: String, version: Int) async throws -> JobRecord {
        let id = newUUID()
        return try await database.transaction { session in
            try Self.job(try await session.query(
                "INSERT INTO jobs (job_id, file_id, version, state) VALUES ($1, $2, $3, 1) RETURNING \(Self.jobColumns)",
                [.text(id), .text(fileID), .int(version)]
            ).first!)
        }
    }

    /// Records a job's progress; `nil` when there is no such job.
    public func updateJob(jobID: String, state: Int, progress: Double, stage: String, error: String = "") async throws
        -> JobRecord?
    {
        try Self.requireLength(stage, "stage", max: 64, allowEmpty: true)
        try Self.requireLength(error, "error", max: 4096, allowEmpty: true)
        guard (0...1).contains(progress) else { throw PostgresError(.invalidParameter, "progress \(progress) is not in 0...1") }
        return try await database.transaction { session in
            try await session.query(
                """
                UPDATE jobs SET state = $2, progress = $3, stage = $4, error = $5, updated_at = now()
                WHERE job_id = $1 RETURNING \(Self.jobColumns)
                """,
                [.text(jobID), .int(state), .double(progress), .text(stage), .text(error)]
            ).first.map(Self.job)
        }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await database.query("SELECT \(Self.jobColumns) FROM jobs WHERE job_id = $1", [.text(id)]).first.map(Self.job)
    }

    static let jobColumns =
        "job_id, file_id, version, state, progress, stage, error, \(micros("created_at")), \(micros("updated_at"))"

    static func job(_ row: PostgresRow) throws -> JobRecord {
        JobRecord(
            jobID: try row.string(0), fileID: try row.string(1), version: Int(try row.int(2)), state: Int(try row.int(3)),
            progress: try row.double(4), stage: try row.string(5), error: try row.string(6),
            createdAtMicros: try row.int(7), updatedAtMicros: try row.int(8)
        )
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

    /// The newest job for a file version, queuing one when there is none yet.
    public func jobForVersion(fileID: String, version: Int) async throws -> JobRecord {
        if let job = try await latestJob(fileID: fileID, version: version) { return job }
        return try await createJob(fileID: fileID, version: version)
    }
}
