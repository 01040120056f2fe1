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
public struct ServerTelemetryInterceptor<T: Tracer>: ServerInterceptor {
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
        let descriptor = context.descriptor
        var parent = ServiceContext.current ?? .topLevel
        tracer.extract(request.metadata, into: &parent, using: MetadataExtractor())
        let span = tracer.startSpan(descriptor.spanName, context: parent, ofKind: .server)
        descriptor.describe(span)
        if let peer = peerAddress(context.peer) {
            span.attributes[ZipkinSpan.remoteAddressAttribute] = peer.address
            span.attributes[ZipkinSpan.remotePortAttribute] = peer.port
        }
        let call = RPCCallRecorder(instruments, descriptor: descriptor, span: span, deadline: context.deadline)
        let spanContext = span.context

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
}
