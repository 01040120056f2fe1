import ArgumentParser
import Foundation
import BlockStore
import FileProcessService
import Logging
import MeshRPC
import PostgresStore
import ServiceKit

/// `fileflow serve file-process`: uploads into the block store, downloads out of it, and the processing pipeline
/// consuming `file-uploads` (CONTRACT.md §2: RPC 7102, ops 9102).
struct ServeFileProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file-process",
        abstract: "Serve fileflow.v1.FileProcessService (upload, download, processing pipeline).")

    @OptionGroup var options: ServiceOptions
    @Option(help: "clamd's TCP address host:port for virus scans; defaults to $FILEFLOW_CLAMD_ADDRESS; none: no scan.")
    var clamdAddress: String?
    @Option(help: "Files larger than this many bytes are not sent to clamd (keep it within clamd's StreamMaxLength).")
    var scanMaxBytes: UInt64 = 1 << 30

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "file-process")
        let logger = Logger(label: "fileflow.file-process")
        let database = try await options.database(for: "file-process")
        let store = FileFlowStore(database: database)
        let blocks = try FileBlockStore(root: try options.dataDirectory("blocks"))
        let metadata = try MeshClient.connect(options.metadata(), interceptors: telemetry.clientInterceptors)
        let scanner = try (clamdAddress ?? ProcessInfo.processInfo.environment["FILEFLOW_CLAMD_ADDRESS"])
            .flatMap { $0.isEmpty ? nil : try ClamdScanner(address: $0) }
        if scanner == nil { logger.warning("no clamd configured: uploads are not scanned for viruses") }
        let pipeline = ProcessingPipeline(
            metadata: metadata, store: store, blocks: blocks, scanner: scanner, scanMaxBytes: scanMaxBytes)
        let members = try options.consumerGroup("file-process", topics: [Topic.uploads])

        var router = RPCRouter()
        FileProcessService(metadata: metadata, blocks: blocks, store: store, pipeline: pipeline).register(in: &router)
        var host = ServiceHost(
            name: "file-process", serviceName: "fileflow.v1.FileProcessService", host: options.host,
            rpcPort: options.rpcPort(default: 7102), opsPort: options.opsPort(default: 9102),
            readiness: Readiness.all([Readiness.postgres(database)] + members.map(\.readiness)))
        host.background = members.map { member in
            ServiceHost.BackgroundTask("processing pipeline") {
                try await member.run { event, _ in try await pipeline.handle(event) }
            }
        }
        host.shutdown = { for member in members { member.close() } }
        try await host.run(router: router, telemetry: telemetry, logger: logger)
    }
}
