import CoreMetrics
import MeshRPC
import Synchronization
import Telemetry
import Tracing

/// Counts, times and ends the span of one RPC, exactly once, whenever and however the call finishes.
///
/// A streaming call finishes long after the interceptor returned (its producer or body runs later), so the
/// interceptors hand this object to the response. If the response is dropped without ever finishing (the
/// peer went away before the producer ran), `deinit` records the call as CANCELLED, so no call goes uncounted
/// and no span stays open.
///
/// The span's tags are set when the call finishes, and only on a span that will be exported: an unsampled span
/// of a successful call is dropped, and tagging it was most of what tracing cost with sampling off.
final class RPCCallRecorder: Sendable {
    /// Who is at the other end, as the span's remote endpoint shows it.
    enum Remote: Sendable {
        /// Server side: the client's connection.
        case peer(RPCPeer)
        /// Client side: the service called.
        case service
    }

    private let instruments: MethodInstruments
    private let descriptor: MethodDescriptor
    private let remote: Remote
    private let span: any Span
    /// Sampled (or of a tracer without B3): exported even when the call succeeds.
    private let keptOnSuccess: Bool
    private let deadline: ContinuousClock.Instant?
    private let started = ContinuousClock.now
    private let finished = Atomic(false)

    init(
        _ instruments: MethodInstruments, descriptor: MethodDescriptor, remote: Remote, span: any Span,
        deadline: ContinuousClock.Instant?
    ) {
        self.instruments = instruments
        self.descriptor = descriptor
        self.remote = remote
        self.span = span
        self.deadline = deadline
        keptOnSuccess = span.context.b3.map { $0.sampling == .accept || $0.sampling == .debug } ?? true
        self.instruments.inFlight?.increment()
    }

    deinit {
        // Checked first: most calls have finished, and making the error (boxed as `any Error`) costs an allocation.
        guard !finished.load(ordering: .acquiring) else { return }
        finish(RPCError(code: .cancelled, message: "The call ended before its status was known."))
    }

    /// Records the outcome: `nil` is OK, any error counts with the status it is (or will be) sent with.
    func finish(_ error: (any Error)?) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let elapsed = ContinuousClock.now - started
        let status = error.map(statusCode) ?? .ok
        let handles = instruments.outcome(status)
        handles.requests.increment()
        handles.duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        instruments.inFlight?.decrement()
        if status != .ok || keptOnSuccess { tag(status, error, handles) }
        span.end()
    }

    /// The span's tag with the numeric gRPC status.
    static let statusCodeTag = "grpc.status_code"

    /// A Zipkin span takes the method's tags and the status encoded once per method and status, and its remote
    /// endpoint typed; other tracers get them as attributes, set in one edit (one lock, room made once).
    private func tag(_ status: RPCError.Code, _ error: (any Error)?, _ handles: MethodInstruments.Outcome) {
        let endpoint = remoteEndpoint
        if let zipkin = span as? ZipkinSpan {
            zipkin.addEncodedTags(handles.spanTags)
            if !Self.isStandard(status) { zipkin.attributes[Self.statusCodeTag] = Int64(status.rawValue) }
            zipkin.setRemoteEndpoint(serviceName: endpoint.service, address: endpoint.address, port: endpoint.port)
        } else {
            span.updateAttributes { attributes in
                attributes.reserveCapacity(8)
                for (key, value) in descriptor.spanTags { attributes.set(key, value: .string(value)) }
                if let service = endpoint.service {
                    attributes.set(ZipkinSpan.remoteServiceAttribute, value: .string(service))
                }
                if let address = endpoint.address {
                    attributes.set(ZipkinSpan.remoteAddressAttribute, value: .string(address))
                }
                if let port = endpoint.port {
                    attributes.set(ZipkinSpan.remotePortAttribute, value: .int64(Int64(port)))
                }
                attributes.set(Self.statusCodeTag, value: .int64(Int64(status.rawValue)))
            }
        }
        guard status != .ok else { return }
        if let error = error as? RPCError, !error.message.isEmpty {
            span.attributes["grpc.status_message"] = String(error.message.prefix(256))
        }
        // A failed call is kept whatever the sampling decision (ZipkinSpan keeps errored spans).
        span.setStatus(SpanStatus(code: .error, message: Self.label(status)))
    }

    /// Who is at the other end: the service called (client side) or the client's address (server side; none for an
    /// in-process caller).
    private var remoteEndpoint: (service: String?, address: String?, port: Int?) {
        switch remote {
        case .service: (descriptor.service, nil, nil)
        case .peer(let peer): (nil, peer.ipAddress, peer.port)
        }
    }

    /// Runs `body`; a throw is the call's outcome, recorded before it is rethrown.
    nonisolated(nonsending) func observe<T>(_ body: nonisolated(nonsending) () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            finish(error)
            throw error
        }
    }

    /// The status a peer sees: a cancellation caused by the passing deadline is DEADLINE_EXCEEDED.
    private func statusCode(_ error: any Error) -> RPCError.Code {
        let code = RPCError(wrapping: error).code
        if code == .cancelled, let deadline, ContinuousClock.now >= deadline { return .deadlineExceeded }
        return code
    }

    /// The status name; codes outside gRPC's 17 share one, as their metric label does.
    static func label(_ code: RPCError.Code) -> String {
        isStandard(code) ? code.description : "UNKNOWN"
    }

    /// One of gRPC's 17 codes, not one a peer made up.
    static func isStandard(_ code: RPCError.Code) -> Bool { (0...16).contains(code.rawValue) }
}
