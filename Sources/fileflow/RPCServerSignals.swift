import Logging
import MeshRPC
import ServiceKit
import ServiceLifecycle

extension RPCServer {
    /// Serves until SIGTERM or SIGINT, which start a graceful drain (GOAWAY, open calls finish).
    func serveUntilSignalled() async throws {
        let group = ServiceGroup(
            services: [RPCServerService(self)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "fileflow.rpc-server"))
        try await group.run()
    }
}
