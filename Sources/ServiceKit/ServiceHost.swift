import Foundation
public import Logging
import ServiceLifecycle
public import MeshRPC
import MeshRPCHealth
import MeshRPCHTTP2

/// Runs one service process: its RPC server (with gRPC health), its ops port, and its background loops (Kafka
/// consumers, relays, purge timers), until SIGTERM or SIGINT.
///
/// On the signal: health turns NOT_SERVING, background loops are cancelled (a consumer commits what it handled
/// and leaves its group), the RPC server sends GOAWAY and waits for open calls, then `shutdown` runs.
public struct ServiceHost: Sendable {
    /// A loop that runs until cancelled; when it throws it is restarted after a pause.
    public struct BackgroundTask: Sendable {
        public var name: String
        public var body: @Sendable () async throws -> Void

        public init(_ name: String, body: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.body = body
        }
    }

    public var name: String
    /// The fully-qualified RPC service name health reports on, e.g. `fileflow.v1.MetadataService`.
    public var serviceName: String
    public var host: String
    public var rpcPort: Int
    public var opsPort: Int
    public var readiness: OpsServer.Readiness
    public var background: [BackgroundTask] = []
    public var shutdown: @Sendable () async -> Void = {}

    public init(
        name: String, serviceName: String, host: String, rpcPort: Int, opsPort: Int,
        readiness: @escaping OpsServer.Readiness
    ) {
        self.name = name
        self.serviceName = serviceName
        self.host = host
        self.rpcPort = rpcPort
        self.opsPort = opsPort
        self.readiness = readiness
    }

    /// Serves `router` (plus health) until a termination signal; prints `<name>: listening on <rpc port>` and
    /// `<name>: ops on <ops port>` once bound, for scripts and tests that start it on port 0.
    ///
    /// The RPC server and the background loops run in a swift-service-lifecycle `ServiceGroup`, which traps the
    /// signals before either starts and shuts them down in reverse order: the loops first, then the server.
    public func run(router: RPCRouter, telemetry: ServiceTelemetry, logger: Logger) async throws {
        var router = router
        let health = HealthService()
        health.register(in: &router)
        health.setStatus(.notServing, forService: serviceName)
        let transport = HTTP2ServerTransport(host: host, port: rpcPort)
        let server = RPCServer(transport: transport, router: router, interceptors: telemetry.serverInterceptors)
        let ops = OpsServer(host: host, port: opsPort, readiness: readiness, metrics: telemetry.metricsText)
        let loops = BackgroundLoops(
            tasks: background, readiness: readiness, health: health, serviceName: serviceName, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: RPCServerService(server), serviceName: "rpc server"),
                .init(service: loops, serviceName: "background loops"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let boundOps = try await ops.start()
            let boundRPC = try await transport.listeningAddress.port ?? rpcPort
            print("\(name): listening on \(boundRPC)")
            print("\(name): ops on \(boundOps)")
            fflush(nil)
            logger.info("serving", metadata: ["rpc_port": "\(boundRPC)", "ops_port": "\(boundOps)"])
            try await tasks.waitForAll()
        }
        await ops.stop()
        await shutdown()
        await telemetry.shutdown()
        logger.info("stopped")
    }

    /// Health's readiness reports and the background loops, as one service of the group: when shutdown begins,
    /// health turns NOT_SERVING and the loops are cancelled (a consumer commits what it handled and leaves its
    /// group) before the RPC server drains.
    private struct BackgroundLoops: Service {
        let tasks: [BackgroundTask]
        let readiness: OpsServer.Readiness
        let health: HealthService
        let serviceName: String
        let logger: Logger

        func run() async {
            await withTaskGroup(of: Void.self) { loops in
                loops.addTask { [readiness, health, serviceName] in
                    await ServiceHost.reportReadiness(readiness, health: health, service: serviceName)
                }
                for task in tasks {
                    loops.addTask { [logger] in await ServiceHost.keepRunning(task, logger: logger) }
                }
                // Loops run until cancelled, so the first child to end is this one: shutdown has begun.
                loops.addTask { try? await gracefulShutdown() }
                await loops.next()
                logger.info("draining")
                health.enterNotServing()
                loops.cancelAll()
            }
        }
    }

    /// Turns health SERVING once the backing servers answer, and keeps it in step with them.
    private static func reportReadiness(_ readiness: @escaping OpsServer.Readiness, health: HealthService, service: String) async {
        var last: Bool?
        while !Task.isCancelled {
            let ready = await readiness().ready
            if ready != last {
                health.setStatus(ready ? .serving : .notServing, forService: service)
                last = ready
            }
            try? await Task.sleep(for: .milliseconds(ready ? 2_000 : 200))
        }
    }

    private static func keepRunning(_ task: BackgroundTask, logger: Logger) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await task.body()
                failures = 0
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.error("background task failed", metadata: ["task": "\(task.name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(failures, 6))))
        }
    }
}
