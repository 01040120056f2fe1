internal import MetadataCache

/// The gateway's shared state in Redis (rate limits, sign-in throttling, refresh-token rotation): Lua scripts, so
/// each check-and-update is atomic across every gateway replica. Keys live under the configured prefix.
struct RedisState: Sendable {
    let client: RedisClient
    let prefix: String

    func key(_ parts: String...) -> String { prefix + parts.joined(separator: ":") }

    func run(_ script: String, keys: [String], arguments: [String]) async throws -> [Int64] {
        try await client.evalIntegers(script, keys: keys, arguments: arguments)
    }
}
