public import MeshRPC
public import ProtoWire

/// Calls by generated method type: `try await client.unary(Foo.Method.Bar.self, request)`.
extension RPCClient {
    @inlinable
    public func unary<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        _ request: ClientRequest<Method.Input>,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Method.Output> {
        try await unary(
            request: request, descriptor: MethodDescriptor(method), serializer: ProtoCoder(),
            deserializer: ProtoCoder(), options: options)
    }

    @inlinable
    public func clientStreaming<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        _ request: StreamingClientRequest<Method.Input>,
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Method.Output> {
        try await clientStreaming(
            request: request, descriptor: MethodDescriptor(method), serializer: ProtoCoder(),
            deserializer: ProtoCoder(), options: options)
    }

    @inlinable
    public func serverStreaming<Method: ProtoRPCMethod, Result: Sendable>(
        _ method: Method.Type,
        _ request: ClientRequest<Method.Input>,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Method.Output>) async throws -> Result
    ) async throws -> Result {
        try await serverStreaming(
            request: request, descriptor: MethodDescriptor(method), serializer: ProtoCoder(),
            deserializer: ProtoCoder(), options: options, onResponse: onResponse)
    }

    @inlinable
    public func bidirectionalStreaming<Method: ProtoRPCMethod, Result: Sendable>(
        _ method: Method.Type,
        _ request: StreamingClientRequest<Method.Input>,
        options: CallOptions = .defaults,
        onResponse: @escaping @Sendable (StreamingClientResponse<Method.Output>) async throws -> Result
    ) async throws -> Result {
        try await bidirectionalStreaming(
            request: request, descriptor: MethodDescriptor(method), serializer: ProtoCoder(),
            deserializer: ProtoCoder(), options: options, onResponse: onResponse)
    }
}
