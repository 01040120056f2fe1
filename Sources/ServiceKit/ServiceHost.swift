import Foundation
public import Logging
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
    public func run(router: RPCRouter, telemetry: ServiceTelemetry, logger: Logger) async throws {
        let termination = TerminationSignal()
        var router = router
        let health = HealthService()
        health.register(in: &router)
        health.setStatus(.notServing, forService: serviceName)
        let transport = HTTP2ServerTransport(host: host, port: rpcPort)
        let server = RPCServer(transport: transport, router: router, interceptors: telemetry.serverInterceptors)
        let readiness = self.readiness
        let ops = OpsServer(host: host, port: opsPort, readiness: readiness, metrics: telemetry.metricsText)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let boundOps = try await ops.start()
            let boundRPC = try await transport.listeningAddress.port ?? rpcPort
            print("\(name): listening on \(boundRPC)")
            print("\(name): ops on \(boundOps)")
            fflush(nil)
            logger.info("serving", metadata: ["rpc_port": "\(boundRPC)", "ops_port": "\(boundOps)"])

            let loops = Task {
                await withTaskGroup(of: Void.self) { loops in
                    loops.addTask { await Self.reportReadiness(readiness, health: health, service: serviceName) }
                    for task in background {
                        loops.addTask { await Self.keepRunning(task, logger: logger) }
                    }
                }
            }
            let signal = await termination.received()
            logger.info("draining", metadata: ["signal": "\(signal ?? 0)"])
            health.enterNotServing()
            loops.cancel()
            await loops.value
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
        await ops.stop()
        await shutdown()
        await telemetry.shutdown()
        logger.info("stopped")
    }

    /// Turns health SERVING once the backing servers answer, and keeps it in step with them.
    private static func reportReadiness(_ readiness: OpsServer.Readiness, health: HealthService, service: String) async {
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
