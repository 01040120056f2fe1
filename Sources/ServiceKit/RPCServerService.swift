public import MeshRPC
public import ServiceLifecycle

/// An `RPCServer` as a swift-service-lifecycle `Service`: it serves until the group shuts down gracefully, then
/// sends GOAWAY and returns once the calls already open have finished.
public struct RPCServerService: Service {
    let server: RPCServer

    public init(_ server: RPCServer) {
        self.server = server
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
