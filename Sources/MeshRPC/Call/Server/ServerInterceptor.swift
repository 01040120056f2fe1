import NIOCore

/// Sees every server call before its handler: authentication, tracing and metrics hook in here.
/// Messages are still serialized bytes, so one interceptor serves every method.
public protocol ServerInterceptor: Sendable {
    func intercept(
        request: StreamingServerRequest<ByteBuffer>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
            -> StreamingServerResponse<ByteBuffer>
    ) async throws -> StreamingServerResponse<ByteBuffer>
}
