/// Collapses concurrent loads of the same key into one: the first caller loads, the rest await its result.
/// This is what keeps a popular key's expiry from stampeding Postgres.
actor SingleFlight<Value: Sendable> {
    private var inFlight: [String: (token: UInt64, task: Task<Value, Error>)] = [:]
    private var nextToken: UInt64 = 0

    func load(_ key: String, _ loader: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let running = inFlight[key] { return try await running.task.value }
        nextToken += 1
        let token = nextToken
        let task = Task { try await loader() }
        inFlight[key] = (token, task)
        defer { if inFlight[key]?.token == token { inFlight[key] = nil } }
        return try await task.value
    }

    /// Stops later callers from joining loads that began before a write: they may return pre-write data.
    func forget(keyOrPrefix prefix: String) {
        for key in inFlight.keys where key == prefix || key.hasPrefix(prefix + "/") { inFlight[key] = nil }
    }
}
