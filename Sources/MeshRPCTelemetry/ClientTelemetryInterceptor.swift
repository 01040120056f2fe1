public import CoreMetrics
public import MeshRPC
public import NIOCore
import Telemetry
public import Tracing

/// Traces and measures every call a client makes.
///
/// Tracing: a CLIENT span, child of `ServiceContext.current` (the server call or consumer being handled), whose
/// context goes out as `b3` metadata; it ends when the call's status arrives and is tagged with it, a failed call
/// always kept. Metrics: `fileflow_rpc_client_requests_total` and `fileflow_rpc_client_duration_seconds` by
/// service, method and status code.
public struct ClientTelemetryInterceptor<T: Tracer>: ClientInterceptor {
    public let tracer: T
    private let instruments: RPCInstruments

    public init(tracer: T, metrics: any MetricsFactory) {
        self.tracer = tracer
        instruments = RPCInstruments(RPCInstruments.client, factory: metrics)
    }

    public func intercept(
        request: StreamingClientRequest<ByteBuffer>,
        context: ClientContext,
        next: (StreamingClientRequest<ByteBuffer>, ClientContext) async throws -> StreamingClientResponse<ByteBuffer>
    ) async throws -> StreamingClientResponse<ByteBuffer> {
        let descriptor = context.descriptor
        let method = instruments.method(descriptor)
        let span = tracer.startSpan(method.spanName, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        var request = request
        tracer.inject(span.context, into: &request.metadata, using: MetadataInjector())
        let call = RPCCallRecorder(
            method, descriptor: descriptor, remote: .service, span: span, deadline: context.deadline)

        let response = try await call.observe { try await next(request, context) }
        switch response.accepted {
        case .failure(let error):
            call.finish(error)
            return response
        case .success(let contents):
            // The status arrives at the end of the body: as trailers (OK) or as the error the body throws.
            let parts = contents.bodyParts
            let observed = RPCAsyncSequence<StreamingClientResponse<ByteBuffer>.BodyPart>(makeNext: {
                let iterator = parts.makeAsyncIterator()
                return {
                    var iterator = iterator
                    let part = try await call.observe { try await iterator.next() }
                    switch part {
                    case .trailers?, nil: call.finish(nil)
                    case .message?: break
                    }
                    return part
                }
            })
            return StreamingClientResponse(metadata: contents.metadata, bodyParts: observed)
        }
    }
}
