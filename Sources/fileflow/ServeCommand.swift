import ArgumentParser
import Foundation
import MeshRPC
import MeshRPCHTTP2
import MeshRPCHealth
import MetadataCache
import MetadataService
import PostgresStore

/// `fileflow serve <service>`: runs one service of the mesh as its own process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run one FileFlow service.", subcommands: [ServeMetadataCommand.self])
}

/// `fileflow serve metadata [--port 7101] [--postgres-url URL] [--redis-url URL]`.
///
/// Migrates the schema first (migrators serialise on an advisory lock, so several services may start at once),
/// reports SERVING on gRPC health once Postgres answered, and on SIGTERM or SIGINT drains open calls and exits.
struct ServeMetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata", abstract: "Serve fileflow.v1.MetadataService (users, files, shares, quotas).")

    @Option(help: "Port to listen on (0 picks a free one).") var port = 7101
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "libpq connection URL; defaults to $FILEFLOW_POSTGRES_URL.") var postgresURL: String?
    @Option(help: "redis://host:port of the metadata cache; defaults to $FILEFLOW_REDIS_URL; none disables it.")
    var redisURL: String?
    @Option(help: "Postgres connections to keep.") var postgresConnections = 8

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = postgresURL ?? environment["FILEFLOW_POSTGRES_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --postgres-url or set FILEFLOW_POSTGRES_URL")
        }
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: url, maxConnections: postgresConnections))
        _ = try await MigrationRunner(database: database).migrate()
        let store = FileFlowStore(database: database)
        let cache = try (redisURL ?? environment["FILEFLOW_REDIS_URL"]).flatMap {
            $0.isEmpty ? nil : try MetadataCache(redisURL: $0, store: store)
        }

        let transport = HTTP2ServerTransport(host: host, port: port)
        let health = HealthService()
        var router = RPCRouter()
        MetadataService(store: store, cache: cache).register(in: &router)
        health.register(in: &router)
        health.setStatus(.serving, forService: "fileflow.v1.MetadataService")
        health.setStatus(.serving)
        let server = RPCServer(transport: transport, router: router)
        async let serving: Void = server.serveUntilSignalled()
        print("metadata: listening on \(try await transport.listeningAddress.port ?? port)")
        fflush(nil)
        try await serving
    }
}
