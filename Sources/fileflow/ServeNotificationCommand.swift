import ArgumentParser
import Logging
import MeshRPC
import NotificationService
import PostgresStore
import ServiceKit

/// `fileflow serve notification`: stored per-user notifications from the file events, and the live feed behind
/// the gateway's Server-Sent Events (CONTRACT.md §2: RPC 7105, ops 9105).
///
/// Consumes `file-processing`, `notifications` and `file-deletions` as group `notification`, and LISTENs on
/// Postgres with one session per process to wake its Subscribe streams, so any number of replicas may run.
struct ServeNotificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification",
        abstract: "Serve fileflow.v1.NotificationService (stored notifications and their live feed).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "notification")
        let logger = Logger(label: "fileflow.notification")
        let database = try await options.database(for: "notification")
        let store = FileFlowStore(database: database)
        let feed = LiveFeed()
        let notifier = EventNotifier(store: store)
        let members = try options.consumerGroup(EventNotifier.consumerGroup, topics: EventNotifier.topics)

        var router = RPCRouter()
        NotificationService(store: store, feed: feed).register(in: &router)
        var host = ServiceHost(
            name: "notification", serviceName: "fileflow.v1.NotificationService", host: options.host,
            rpcPort: options.rpcPort(default: 7105), opsPort: options.opsPort(default: 9105),
            readiness: Readiness.all([Readiness.postgres(database), feed.readiness] + members.map(\.readiness)))
        host.background = [
            // Cancelled first at shutdown: the listener stops and ends every Subscribe stream with OK.
            ServiceHost.BackgroundTask("live feed") { await feed.listen(configuration: database.configuration) },
        ] + members.map { member in
            ServiceHost.BackgroundTask("event consumer") {
                try await member.run { event, _ in try await notifier.handle(event) }
            }
        }
        host.shutdown = { for member in members { member.close() } }
        try await host.run(router: router, telemetry: telemetry, logger: logger)
    }
}
