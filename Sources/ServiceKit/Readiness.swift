public import PostgresStore

/// Building blocks for `/readyz` and the health status: a service is ready when every check passes.
public enum Readiness {
    public typealias Check = (name: String, probe: @Sendable () async throws -> Void)

    /// All of `checks`, each bounded by a short timeout; the detail names what failed.
    public static func all(_ checks: [Check]) -> OpsServer.Readiness {
        {
            var failures: [String] = []
            for check in checks {
                do {
                    try await check.probe()
                } catch {
                    failures.append("\(check.name): \(error)")
                }
            }
            return failures.isEmpty ? (true, "ready") : (false, failures.joined(separator: "; "))
        }
    }

    public static func postgres(_ database: PostgresDatabase) -> Check {
        ("postgres", { _ = try await database.query("SELECT 1") })
    }
}
