public import CoreMetrics
public import MeshRPC
public import NIOCore
import Telemetry
public import Tracing

/// Traces and measures every call a server handles.
///
/// Tracing: the caller's `b3` (or `X-B3-*`) metadata is extracted and a SERVER span started as its child (a new
/// trace when there is none, or it is malformed); the handler and its response producer run with that span as
/// `ServiceContext.current`, so the calls it makes and the lines it logs carry the trace. The span is tagged with
/// the gRPC status, and a failed call is always kept.
///
/// Metrics: `fileflow_rpc_server_requests_total` and `fileflow_rpc_server_duration_seconds` by service, method
/// and status code, and `fileflow_rpc_server_in_flight`.
///
/// It takes unary calls whole too, so a server with it keeps the direct unary path.
public struct ServerTelemetryInterceptor<T: Tracer>: UnaryServerInterceptor {
    public let tracer: T
    private let instruments: RPCInstruments

    public init(tracer: T, metrics: any MetricsFactory) {
        self.tracer = tracer
        instruments = RPCInstruments(RPCInstruments.server, factory: metrics)
    }

    public func intercept(
        request: StreamingServerRequest<ByteBuffer>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<ByteBuffer>, ServerContext) async throws
            -> StreamingServerResponse<ByteBuffer>
    ) async throws -> StreamingServerResponse<ByteBuffer> {
        let (call, spanContext) = begin(request.metadata, context)
        let response = try await call.observe {
            try await ServiceContext.$current.withValue(spanContext) { try await next(request, context) }
        }
        switch response.accepted {
        case .failure(let error):
            call.finish(error)
            return response
        case .success(let contents):
            return StreamingServerResponse(metadata: contents.metadata) { writer in
                let trailers = try await call.observe {
                    try await ServiceContext.$current.withValue(spanContext) { try await contents.producer(writer) }
                }
                call.finish(nil)
                return trailers
            }
        }
    }

    nonisolated(nonsending) public func interceptUnary(
        metadata: Metadata,
        context: ServerContext,
        next: nonisolated(nonsending) @Sendable (Metadata, ServerContext) async throws -> ServerResponse<ByteBuffer>
    ) async throws -> ServerResponse<ByteBuffer> {
        let (call, spanContext) = begin(metadata, context)
        let response = try await call.observe {
            try await ServiceContext.$current.withValue(spanContext) { try await next(metadata, context) }
        }
        call.finish(nil)
        return response
    }

    /// Starts the call's span, child of the caller's trace, and its recorder.
    private func begin(_ metadata: Metadata, _ context: ServerContext) -> (RPCCallRecorder, ServiceContext) {
        var parent = ServiceContext.current ?? .topLevel
        tracer.extract(metadata, into: &parent, using: MetadataExtractor())
        let method = instruments.method(context.descriptor)
        let span = tracer.startSpan(method.spanName, context: parent, ofKind: .server)
        let call = RPCCallRecorder(
            method, descriptor: context.descriptor, remote: .peer(context.peer), span: span, deadline: context.deadline)
        return (call, span.context)
    }
}
