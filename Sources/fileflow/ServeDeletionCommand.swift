import ArgumentParser
import BlockStore
import DeletionService
import Foundation
import Logging
import MeshRPC
import PostgresStore
import ServiceKit

/// `fileflow serve deletion`: trash, restore, and the purge loop that removes trashed files after their retention
/// and collects unreferenced blocks (CONTRACT.md §2: RPC 7104, ops 9104). Relays the outbox like the metadata
/// service (one relay publishes at a time, whichever process holds the lock).
struct ServeDeletionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deletion", abstract: "Serve fileflow.v1.DeletionService (trash, restore, purge, block GC).")

    @OptionGroup var options: ServiceOptions
    @Option(help: "Seconds a trashed file is kept before it is purged; defaults to $FILEFLOW_RETENTION_SECONDS, then 7 days.")
    var retentionSeconds: Int?
    @Option(help: "Seconds between purge runs.") var purgeIntervalSeconds = 60
    @Option(help: "Seconds an unreferenced block is kept before its bytes are deleted (covers uploads in flight).")
    var collectionGraceSeconds = 3600

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "deletion")
        let logger = Logger(label: "fileflow.deletion")
        let database = try await options.database(for: "deletion")
        let store = FileFlowStore(database: database)
        let retention = retentionSeconds
            ?? ProcessInfo.processInfo.environment["FILEFLOW_RETENTION_SECONDS"].flatMap { Int($0) } ?? 7 * 86_400
        guard retention >= 0, purgeIntervalSeconds > 0, collectionGraceSeconds >= 0 else {
            throw ValidationError("retention, purge interval and grace must be non-negative (the interval positive)")
        }
        let service = DeletionService(
            store: store, cache: try options.cache(store: store),
            blocks: try FileBlockStore(root: try options.dataDirectory("blocks")), retentionSeconds: retention,
            collectionGraceSeconds: collectionGraceSeconds, administrators: options.administrators)
        var router = RPCRouter()
        service.register(in: &router)

        var host = ServiceHost(
            name: "deletion", serviceName: "fileflow.v1.DeletionService", host: options.host,
            rpcPort: options.rpcPort(default: 7104), opsPort: options.opsPort(default: 9104),
            readiness: Readiness.all([Readiness.postgres(database)]))
        let interval = purgeIntervalSeconds
        host.background = [
            ServiceHost.BackgroundTask("purge") {
                while !Task.isCancelled {
                    let purged = try await service.purgeAndCollect(trashedBefore: DeletionService.now() - Int64(retention) * 1_000_000)
                    if purged.filesPurged > 0 || purged.bytesReleased > 0 {
                        logger.info("purged", metadata: [
                            "files": "\(purged.filesPurged)", "blocks": "\(purged.blocksReleased)",
                            "bytes": "\(purged.bytesReleased)",
                        ])
                    }
                    try await Task.sleep(for: .seconds(interval))
                }
            }
        ]
        host.background += try options.outboxRelay(store: store, logger: logger)
        try await host.run(router: router, telemetry: telemetry, logger: logger)
    }
}
