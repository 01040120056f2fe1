import ArgumentParser
import Logging
import MeshRPC
import PostgresStore
import SearchService
import ServiceKit

/// `fileflow serve search`: ranked search over names and extracted text (CONTRACT.md §2: RPC 7103, ops 9103).
///
/// One member of the `search` consumer group feeds the index from every topic that changes what a file's search
/// document holds, or who may see it (FileShared travels on `notifications`).
struct ServeSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Serve fileflow.v1.SearchService (ranked search, index rebuilds).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "search")
        let logger = Logger(label: "fileflow.search")
        let database = try await options.database(for: "search")
        let search = try await SearchService(
            store: FileFlowStore(database: database), indexDirectory: try options.dataDirectory("search-index"),
            administrators: options.administrators)
        for note in search.openingNotes { logger.warning("\(note)") }
        let consumer = try FileEventConsumer(
            bootstrapServers: try options.kafka(), group: "search",
            topics: [Topic.uploads, Topic.processing, Topic.deletions, Topic.notifications])

        var router = RPCRouter()
        search.register(in: &router)
        var host = ServiceHost(
            name: "search", serviceName: "fileflow.v1.SearchService", host: options.host,
            rpcPort: options.rpcPort(default: 7103), opsPort: options.opsPort(default: 9103),
            readiness: Readiness.all([Readiness.postgres(database), search.readiness, consumer.readiness]))
        host.background = [
            ServiceHost.BackgroundTask("index upkeep") { try await search.upkeep { logger.info("\($0)") } },
            ServiceHost.BackgroundTask("index events") {
                try await consumer.run { event, _ in try await search.handle(event) }
            },
        ]
        host.shutdown = {
            consumer.close()
            do {
                try await search.flush()
            } catch {
                logger.error("final index commit failed", metadata: ["error": "\(error)"])
            }
        }
        try await host.run(router: router, telemetry: telemetry, logger: logger)
    }
}
