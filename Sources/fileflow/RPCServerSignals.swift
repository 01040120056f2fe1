import MeshRPC
import ServiceKit

extension RPCServer {
    /// Serves until SIGTERM or SIGINT, which start a graceful drain (GOAWAY, open calls finish).
    func serveUntilSignalled() async throws {
        let termination = TerminationSignal()
        let drain = Task { [self] in
            if await termination.received() != nil { beginGracefulShutdown() }
        }
        defer { drain.cancel() }
        try await serve()
    }
}
