import Foundation
import PostgresStore

/// The live servers Tools/test starts, read from the environment; a missing variable skips the suite loudly.
enum TestEnvironment {
    static var postgresURL: String? { value("FILEFLOW_POSTGRES_URL") }
    static var redisURL: String? { value("FILEFLOW_REDIS_URL") }
    static var kafkaBootstrap: String? { value("FILEFLOW_KAFKA_BOOTSTRAP") }

    private static func value(_ name: String) -> String? {
        let value = ProcessInfo.processInfo.environment[name]
        if value == nil || value!.isEmpty {
            FileHandle.standardError.write(Data("DataPlaneTests: SKIPPING tests that need \(name) (not set)\n".utf8))
            return nil
        }
        return value
    }

    /// A store on a migrated schema. Every test uses fresh ids, so tests share one database safely.
    static func store(maxConnections: Int = 4, statementTimeoutMillis: Int = 30_000) async throws -> FileFlowStore {
        let database = PostgresDatabase(configuration: PostgresConfiguration(
            url: postgresURL!, maxConnections: maxConnections, statementTimeoutMillis: statementTimeoutMillis
        ))
        try await MigrationRunner(database: database).migrate()
        return FileFlowStore(database: database)
    }

    /// A store on a database of its own, for tests that act on whole tables (the outbox relay).
    static func freshStore(maxConnections: Int = 4) async throws -> FileFlowStore {
        let admin = PostgresDatabase(configuration: PostgresConfiguration(url: postgresURL!, maxConnections: 1))
        let name = "ff_test_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.query("CREATE DATABASE \(name)")
        let base = postgresURL!
        let url = String(base[..<base.lastIndex(of: "/")!]) + "/\(name)"
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: url, maxConnections: maxConnections))
        try await MigrationRunner(database: database).migrate()
        return FileFlowStore(database: database)
    }

    /// Runs a shell command and returns its exit status, for restarting servers in fault tests.
    /// `system` rather than `Process`: Foundation's `Process` waits until every descendant closes an inherited
    /// descriptor, which a daemonised `redis-server` never does.
    @discardableResult
    static func shell(_ command: String) throws -> Int32 {
        let status = system(command)
        guard status != -1 else { throw TestFailure(message: "cannot run: \(command)") }
        return (status >> 8) & 0xFF
    }
}

/// Strings that have broken SQL layers, parsers and terminals; each must round-trip byte for byte.
enum HostileStrings {
    static let all: [String] = [
        "'; DROP TABLE users; --",
        "Robert'); DELETE FROM files WHERE ('1'='1",
        "$1 $2 \\x00 %s %n",
        "\\\\'\\\"",
        "名前 ファイル 🚀 עברית",
        "e\u{301} (combining) \u{202E}gnp.exe",
        String(decoding: [0x66, 0xFF, 0xFE, 0x80, 0x67], as: UTF8.self),  // invalid UTF-8, repaired on decode
        "line\nbreak\r\ttab",
    ]
}
