import NIOCore

/// Sees every client call before it reaches the transport: adds credentials or trace headers,
/// records status and latency. Messages are serialized bytes, so one interceptor serves every method.
public protocol ClientInterceptor: Sendable {
    func intercept(
        request: StreamingClientRequest<ByteBuffer>,
        context: ClientContext,
        next: (StreamingClientRequest<ByteBuffer>, ClientContext) async throws -> StreamingClientResponse<ByteBuffer>
    ) async throws -> StreamingClientResponse<ByteBuffer>
}
