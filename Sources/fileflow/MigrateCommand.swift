import ArgumentParser
import Foundation
import PostgresStore

/// `fileflow migrate`: applies pending schema migrations and exits.
///
/// Services also migrate at start; this command exists so operators (and `Tools/up`) can migrate before
/// starting anything, and see what was applied. Safe to run concurrently: migrators serialise on an advisory lock.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending Postgres schema migrations (idempotent)."
    )

    @Option(help: "libpq connection URL; defaults to $FILEFLOW_POSTGRES_URL.")
    var postgresURL: String?

    func run() async throws {
        guard let url = postgresURL ?? ProcessInfo.processInfo.environment["FILEFLOW_POSTGRES_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --postgres-url or set FILEFLOW_POSTGRES_URL")
        }
        let runner = MigrationRunner(database: PostgresDatabase(configuration: PostgresConfiguration(url: url, maxConnections: 1)))
        let applied = try await runner.migrate()
        let current = try await runner.appliedVersions().last ?? 0
        if applied.isEmpty {
            print("migrate: schema is current at version \(current)")
        } else {
            print("migrate: applied \(applied.map(String.init).joined(separator: ", ")); schema at version \(current)")
        }
    }
}
