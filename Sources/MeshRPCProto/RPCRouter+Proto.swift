public import MeshRPC
public import ProtoWire

/// Registration by generated method type: `router.unary(Foo.Method.Bar.self) { request, context in ... }`.
extension RPCRouter {
    @inlinable
    public mutating func unary<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        handler: @escaping @Sendable (ServerRequest<Method.Input>, ServerContext) async throws
            -> ServerResponse<Method.Output>
    ) {
        registerUnary(MethodDescriptor(method), deserializer: ProtoCoder(), serializer: ProtoCoder(), handler: handler)
    }

    @inlinable
    public mutating func clientStreaming<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        handler: @escaping @Sendable (StreamingServerRequest<Method.Input>, ServerContext) async throws
            -> ServerResponse<Method.Output>
    ) {
        registerClientStreaming(
            MethodDescriptor(method), deserializer: ProtoCoder(), serializer: ProtoCoder(), handler: handler)
    }

    @inlinable
    public mutating func serverStreaming<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        handler: @escaping @Sendable (ServerRequest<Method.Input>, ServerContext) async throws
            -> StreamingServerResponse<Method.Output>
    ) {
        registerServerStreaming(
            MethodDescriptor(method), deserializer: ProtoCoder(), serializer: ProtoCoder(), handler: handler)
    }

    @inlinable
    public mutating func bidirectionalStreaming<Method: ProtoRPCMethod>(
        _ method: Method.Type,
        handler: @escaping @Sendable (StreamingServerRequest<Method.Input>, ServerContext) async throws
            -> StreamingServerResponse<Method.Output>
    ) {
        registerBidirectionalStreaming(
            MethodDescriptor(method), deserializer: ProtoCoder(), serializer: ProtoCoder(), handler: handler)
    }
}
