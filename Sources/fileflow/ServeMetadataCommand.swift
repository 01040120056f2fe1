import ArgumentParser
import Logging
import MeshRPC
import MetadataService
import PostgresStore
import ServiceKit

/// `fileflow serve metadata`: users, files, versions, shares, quotas and jobs (CONTRACT.md §2: RPC 7101, ops 9101).
///
/// Also relays the outbox to Kafka when Kafka is configured: every process that writes the outbox runs a relay,
/// and a Postgres advisory lock lets exactly one of them publish at a time.
struct ServeMetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata", abstract: "Serve fileflow.v1.MetadataService (users, files, shares, quotas).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "metadata")
        let logger = Logger(label: "fileflow.metadata")
        let database = try await options.database(for: "metadata")
        let store = FileFlowStore(database: database)
        let cache = try options.cache(store: store)
        var router = RPCRouter()
        MetadataService(store: store, cache: cache, administrators: options.administrators).register(in: &router)

        var host = ServiceHost(
            name: "metadata", serviceName: "fileflow.v1.MetadataService", host: options.host,
            rpcPort: options.rpcPort(default: 7101), opsPort: options.opsPort(default: 9101),
            readiness: Readiness.all([Readiness.postgres(database)]))
        host.background = try options.outboxRelay(store: store, logger: logger)
        try await host.run(router: router, telemetry: telemetry, logger: logger)
    }
}
