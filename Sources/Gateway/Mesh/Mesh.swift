internal import FlowMessages
internal import MeshRPC
internal import MeshRPCProto
internal import ProtoWire
internal import ServiceKit

/// The gateway's only way to the services: one RPC client per service of the mesh.
struct Mesh: Sendable {
    let metadata: RPCClient
    let fileProcess: RPCClient
    let search: RPCClient
    let deletion: RPCClient
    let notification: RPCClient

    /// Time allowed for a unary call; streams (uploads, downloads, events) have none.
    static let unaryTimeout = Duration.seconds(15)
    /// Every open live-event stream (SSE) holds an HTTP/2 stream to the notification service, which admits 1,024 a
    /// connection: four connections to each of its addresses leave room for about 4,000 per gateway.
    static let notificationConnections = 4

    init(_ targets: GatewayConfiguration.Targets, interceptors: [any ClientInterceptor]) throws {
        metadata = try MeshClient.connect(targets.metadata, interceptors: interceptors)
        fileProcess = try MeshClient.connect(targets.fileProcess, interceptors: interceptors)
        search = try MeshClient.connect(targets.search, interceptors: interceptors)
        deletion = try MeshClient.connect(targets.deletion, interceptors: interceptors)
        notification = try MeshClient.connect(
            targets.notification, interceptors: interceptors, connectionsPerAddress: Self.notificationConnections)
    }

    /// Every client by service name, for health reports.
    var all: [(name: String, service: String, client: RPCClient)] {
        [
            ("metadata", "fileflow.v1.MetadataService", metadata),
            ("file-process", "fileflow.v1.FileProcessService", fileProcess),
            ("search", "fileflow.v1.SearchService", search),
            ("deletion", "fileflow.v1.DeletionService", deletion),
            ("notification", "fileflow.v1.NotificationService", notification),
        ]
    }
}

extension RPCClient {
    /// A unary call made for `user` (named in `fileflow-caller-id`), or for nobody (sign-up, sign-in); a failed
    /// call surfaces as the `APIError` its status maps to.
    func call<Method: ProtoRPCMethod>(
        _ method: Method.Type, _ message: Method.Input, for user: String?, quotaApplies: Bool = false
    ) async throws -> Method.Output where Method.Input: Sendable, Method.Output: Sendable {
        do {
            return try await unary(
                method, ClientRequest(metadata: user.map(Caller.metadata(for:)) ?? Metadata(), message: message),
                options: CallOptions(timeout: Mesh.unaryTimeout)
            ).message
        } catch let error as RPCError {
            throw APIError(error, quotaApplies: quotaApplies)
        }
    }
}

extension RPCClient {
    /// Whether the service behind this client reports SERVING for `service` on `grpc.health.v1.Health`.
    func isServing(_ service: String) async -> Bool {
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = service
        let response = try? await unary(
            Grpc_Health_V1_Health.Method.Check.self, ClientRequest(message: request),
            options: CallOptions(timeout: .seconds(2)))
        return response?.message.status == .serving
    }
}
