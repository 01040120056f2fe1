/// One versioned schema change; applied once, in order, and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let sql: String

    /// Every migration FileFlow has, oldest first. Append only: never edit one that has shipped.
    public static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: Migration0001.sql),
        Migration(version: 2, name: "extracted text, status reason, notification wake-up", sql: Migration0002.sql),
        Migration(version: 3, name: "index of unfinished jobs", sql: Migration0003.sql),
        Migration(version: 4, name: "file labels", sql: Migration0004.sql),
        Migration(version: 5, name: "index of live files by name", sql: Migration0005.sql),
        Migration(version: 6, name: "index of live files by name in creation order", sql: Migration0006.sql),
    ]
}

/// Applies pending migrations; safe to run from any number of processes at once.
public struct MigrationRunner: Sendable {
    /// The advisory lock key ("FFMIGRAT" as bytes) that serialises concurrent migrators.
    static let lockKey: Int64 = 0x4646_4D49_4752_4154

    let database: PostgresDatabase
    let migrations: [Migration]

    public init(database: PostgresDatabase, migrations: [Migration] = Migration.all) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies every migration not yet recorded, in one transaction holding an advisory lock, and returns the
    /// versions it applied (empty when the schema was current). A second service starting at the same moment
    /// waits on the lock, then finds nothing to do.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let migrations = self.migrations
        return try await database.transaction { session in
            // A migration may rewrite big tables, and a second migrator waits for the first: allow minutes.
            try await session.execute(script: "SET LOCAL statement_timeout = 600000; SET LOCAL lock_timeout = 600000")
            try await session.query("SELECT pg_advisory_xact_lock($1)", [.int(Self.lockKey)])
            try await session.execute(script: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try await session.query("SELECT version FROM schema_migrations")
            let applied = Set(try rows.rows.map { try $0.int(0) })
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(Int64(migration.version)) {
                try await session.execute(script: migration.sql)
                try await session.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [.int(migration.version), .text(migration.name)]
                )
                done.append(migration.version)
            }
            return done
        }
    }

    /// Versions recorded as applied, ascending.
    public func appliedVersions() async throws -> [Int] {
        let rows = try await database.query(
            "SELECT version FROM schema_migrations ORDER BY version"
        )
        return try rows.rows.map { Int(try $0.int(0)) }
    }
}
