import Foundation
internal import Hummingbird
internal import Logging
public import ServiceKit

/// The REST edge (`fileflow gateway`): Hummingbird in front of the mesh, reaching the services only over RPC.
/// Prints `gateway: listening on <port>` once bound (for scripts and tests that start it on port 0) and drains on
/// SIGTERM or SIGINT: open event streams end, in-flight requests finish.
public struct Gateway: Sendable {
    let configuration: GatewayConfiguration
    let telemetry: ServiceTelemetry

    public init(configuration: GatewayConfiguration, telemetry: ServiceTelemetry) {
        self.configuration = configuration
        self.telemetry = telemetry
    }

    public func run() async throws {
        let logger = Logger(label: "fileflow.gateway")
        let mesh = try Mesh(configuration.targets, interceptors: telemetry.clientInterceptors)
        let api = try await GatewayAPI(
            configuration: configuration, mesh: mesh, metricsText: telemetry.metricsText, logger: logger)

        let router = Router(context: GatewayContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: TracingMiddleware())
        router.add(middleware: MetricsMiddleware(statistics: api.statistics))
        router.add(middleware: CORSPolicy(allowedOrigins: Set(configuration.corsOrigins)))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(logger: logger))
        router.add(middleware: StaticFiles(logger: logger))
        api.register(on: router)

        let port = configuration.port
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: port), serverName: nil),
            onServerRunning: { channel in
                print("gateway: listening on \(channel.localAddress?.port ?? port)")
                fflush(nil)
            },
            logger: logger)

        let sweeper = Task {
            while !Task.isCancelled {
                let removed = await api.uploads.sweep()
                if removed > 0 { logger.info("expired uploads removed", metadata: ["count": "\(removed)"]) }
                try? await Task.sleep(for: .seconds(600))
            }
        }
        defer { sweeper.cancel() }
        try await app.runService()
        await telemetry.shutdown()
    }
}
