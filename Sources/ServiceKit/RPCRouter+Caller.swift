public import MeshRPC
import MeshRPCProto
public import ProtoWire

extension RPCRouter {
    /// Registers a unary method whose implementation takes the message and the `Caller`, so services share one
    /// place that reads the caller and maps store and cache failures to gRPC statuses (`RPCError.from`).
    public mutating func unary<Method: ProtoRPCMethod>(
        _ method: Method.Type, withCaller body: @escaping @Sendable (Method.Input, Caller) async throws -> Method.Output
    ) {
        unary(method) { request, _ in
            do {
                return ServerResponse(message: try await body(request.message, try Caller(request.metadata)))
            } catch {
                throw RPCError.from(error)
            }
        }
    }
}
