import ArgumentParser
import Foundation
import Logging
import MetadataCache
import OutboxRelay
import PostgresStore
import ServiceKit

/// The flags every `fileflow serve <service>` shares; each falls back to its environment variable.
struct ServiceOptions: ParsableArguments {
    @Option(help: "Address to bind both ports on.") var host = "127.0.0.1"
    @Option(help: "RPC port (h2c, gRPC wire); 0 picks a free one. Default: the service's port of CONTRACT.md §2.")
    var port: Int?
    @Option(help: "HTTP/1.1 port for /healthz, /readyz and /metrics; 0 picks a free one.") var opsPort: Int?
    @Option(help: "libpq connection URL; defaults to $FILEFLOW_POSTGRES_URL.") var postgresURL: String?
    @Option(help: "Postgres connections to keep.") var postgresConnections = 8
    @Option(help: "redis://host:port of the metadata cache; defaults to $FILEFLOW_REDIS_URL; empty disables it.")
    var redisURL: String?
    @Option(help: "Kafka bootstrap servers; defaults to $FILEFLOW_KAFKA_BOOTSTRAP.") var kafkaBootstrap: String?
    @Option(help: "Directory for blocks and indexes; defaults to $FILEFLOW_DATA_DIR, then .fileflow/data.")
    var dataDir: String?
    @Option(help: "The metadata service, host:port[,host:port...]; defaults to $FILEFLOW_METADATA_TARGET.")
    var metadataTarget: String?
    @Option(help: "Kafka consumers (group members) in this process; each handles its own partitions concurrently.")
    var consumers = 1
    @Option(help: "Comma-separated administrator usernames (as the gateway's); defaults to $FILEFLOW_ADMINS.")
    var admins: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    func rpcPort(default value: Int) -> Int { port ?? value }
    func opsPort(default value: Int) -> Int { opsPort ?? value }

    /// The Postgres database, migrated (migrators serialise on an advisory lock, so services may start at once).
    /// Its sessions are named `fileflow-<service>-<pid>` in `pg_stat_activity`.
    func database(for service: String) async throws -> PostgresDatabase {
        guard let url = postgresURL ?? environment["FILEFLOW_POSTGRES_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --postgres-url or set FILEFLOW_POSTGRES_URL")
        }
        var configuration = PostgresConfiguration(url: url, maxConnections: postgresConnections)
        configuration.applicationName = "fileflow-\(service)-\(ProcessInfo.processInfo.processIdentifier)"
        let database = PostgresDatabase(configuration: configuration)
        _ = try await MigrationRunner(database: database).migrate()
        return database
    }

    /// The Redis cache over `store`, or nil when none is configured.
    func cache(store: FileFlowStore) throws -> MetadataCache? {
        try (redisURL ?? environment["FILEFLOW_REDIS_URL"]).flatMap {
            $0.isEmpty ? nil : try MetadataCache(redisURL: $0, store: store)
        }
    }

    /// Who may call admin-only RPCs: `is_admin` users and the names of `--admins`.
    var administrators: Administrators { Administrators(names: administratorNames(admins)) }

    func kafka() throws -> String {
        guard let servers = kafkaBootstrap ?? environment["FILEFLOW_KAFKA_BOOTSTRAP"], !servers.isEmpty else {
            throw ValidationError("no Kafka: pass --kafka-bootstrap or set FILEFLOW_KAFKA_BOOTSTRAP")
        }
        return servers
    }

    /// `name` under the data directory, created if missing.
    func dataDirectory(_ name: String) throws -> String {
        let root = dataDir ?? environment["FILEFLOW_DATA_DIR"] ?? ".fileflow/data"
        let path = URL(fileURLWithPath: root).appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `consumers` members of `group` on `topics`, so partitions are handled concurrently.
    func consumerGroup(_ group: String, topics: [String]) throws -> [FileEventConsumer] {
        guard (1...64).contains(consumers) else { throw ValidationError("--consumers must be 1 to 64") }
        let servers = try kafka()
        return try (0..<consumers).map { _ in
            try FileEventConsumer(bootstrapServers: servers, group: group, topics: topics)
        }
    }

    func metadata() -> String { metadataTarget ?? environment["FILEFLOW_METADATA_TARGET"] ?? "127.0.0.1:7101" }

    /// The outbox relay, for processes that write the outbox; none (with a warning) when Kafka is not configured.
    /// Every such process runs one and a Postgres advisory lock lets exactly one publish at a time.
    func outboxRelay(store: FileFlowStore, logger: Logger) throws -> [ServiceHost.BackgroundTask] {
        guard let servers = try? kafka() else {
            logger.warning("no Kafka configured: the outbox is not relayed by this process")
            return []
        }
        let relay = try OutboxRelay(store: store, bootstrapServers: servers)
        return [ServiceHost.BackgroundTask("outbox relay") { await relay.run() }]
    }
}
