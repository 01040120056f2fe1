public import FlowMessages
public import MeshRPC
import MeshRPCProto
import NIOConcurrencyHelpers

/// `grpc.health.v1.Health` (Check, Watch, List), served by every FileFlow RPC process.
///
/// The empty service name is the whole server. `Watch` sends the current status at once and
/// again on every change, until the client goes away; an unknown service is reported as
/// SERVICE_UNKNOWN on Watch and NOT_FOUND on Check, as the health protocol specifies.
public final class HealthService: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = ["": .serving]
        var watchers: [Int: (service: String, queue: RPCMessageQueue<Status>)] = [:]
        var nextWatcher = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Sets a service's status and tells its watchers.
    public func setStatus(_ status: Status, forService service: String = "") {
        let queues = state.withLockedValue { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.queue)
        }
        for queue in queues { queue.yield(status) }
    }

    /// Marks everything NOT_SERVING: call at the start of a graceful shutdown.
    public func enterNotServing() {
        let services = state.withLockedValue { Array($0.statuses.keys) }
        for service in services { setStatus(.notServing, forService: service) }
    }

    public func register(in router: inout RPCRouter) {
        router.unary(Grpc_Health_V1_Health.Method.Check.self) { request, _ in
            guard let status = self.state.withLockedValue({ $0.statuses[request.message.service] }) else {
                throw RPCError(code: .notFound, message: "Unknown service '\(request.message.service)'.")
            }
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            return ServerResponse(message: response)
        }
        router.unary(Grpc_Health_V1_Health.Method.List.self) { _, _ in
            var response = Grpc_Health_V1_HealthListResponse()
            for (service, status) in self.state.withLockedValue({ $0.statuses }) {
                var entry = Grpc_Health_V1_HealthCheckResponse()
                entry.status = status
                response.statuses[service] = entry
            }
            return ServerResponse(message: response)
        }
        router.serverStreaming(Grpc_Health_V1_Health.Method.Watch.self) { request, _ in
            StreamingServerResponse { writer in
                let service = request.message.service
                let queue = RPCMessageQueue<Status>()
                let id = self.state.withLockedValue { state in
                    defer { state.nextWatcher += 1 }
                    state.watchers[state.nextWatcher] = (service, queue)
                    queue.yield(state.statuses[service] ?? .serviceUnknown)
                    return state.nextWatcher
                }
                defer { _ = self.state.withLockedValue { $0.watchers.removeValue(forKey: id) } }
                var last: Status?
                while let status = try await queue.next() {
                    guard status != last else { continue }
                    last = status
                    var response = Grpc_Health_V1_HealthCheckResponse()
                    response.status = status
                    try await writer.write(response)
                }
                return [:]
            }
        }
    }
}
