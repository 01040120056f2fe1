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

/// An interceptor that also takes unary calls whole. When every interceptor of a server is one, unary calls keep
/// the direct path instead of the streaming adapters (a few µs of CPU per call saved).
///
/// `next` reads the request message, runs the handler and returns its response, or throws the call's error (a
/// missing or extra message included), so the interceptor sees every call and its outcome, as with `intercept`;
/// the response is written after the interceptors returned.
public protocol UnaryServerInterceptor: ServerInterceptor {
    nonisolated(nonsending) func interceptUnary(
        metadata: Metadata,
        context: ServerContext,
        next: nonisolated(nonsending) @Sendable (Metadata, ServerContext) async throws -> ServerResponse<ByteBuffer>
    ) async throws -> ServerResponse<ByteBuffer>
}
