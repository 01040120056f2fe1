import NIOConcurrencyHelpers
public import PostgresStore

/// Building blocks for `/readyz` and the health status: a service is ready when every check passes.
public enum Readiness {
    public typealias Check = (name: String, probe: @Sendable () async throws -> Void)

    /// All of `checks`, each bounded by `timeout` (a probe that hangs, e.g. on a pool retrying a dead database,
    /// counts as failed); the detail names what failed.
    public static func all(_ checks: [Check], timeout: Duration = .seconds(2)) -> OpsServer.Readiness {
        {
            var failures: [String] = []
            for check in checks {
                if let failure = await probe(check, timeout: timeout) { failures.append("\(check.name): \(failure)") }
            }
            return failures.isEmpty ? (true, "ready") : (false, failures.joined(separator: "; "))
        }
    }

    /// Nil when the probe passed in time, else why not. A probe that ignores cancellation is left to finish on
    /// its own: the answer never waits for it.
    private static func probe(_ check: Check, timeout: Duration) async -> String? {
        let answer = NIOLockedValueBox<CheckedContinuation<String?, Never>?>(nil)
        let finish = { @Sendable (result: String?) in answer.withLockedValue { $0.take() }?.resume(returning: result) }
        return await withCheckedContinuation { continuation in
            answer.withLockedValue { $0 = continuation }
            let work = Task {
                do {
                    try await check.probe()
                    finish(nil)
                } catch {
                    finish("\(error)")
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                finish("no answer within \(timeout)")
                work.cancel()
            }
        }
    }

    public static func postgres(_ database: PostgresDatabase) -> Check {
        ("postgres", { _ = try await database.query("SELECT 1") })
    }
}
