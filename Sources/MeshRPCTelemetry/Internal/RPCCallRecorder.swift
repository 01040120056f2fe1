import CoreMetrics
import MeshRPC
import Synchronization
import Tracing

/// Counts, times and ends the span of one RPC, exactly once, whenever and however the call finishes.
///
/// A streaming call finishes long after the interceptor returned (its producer or body runs later), so the
/// interceptors hand this object to the response. If the response is dropped without ever finishing (the
/// peer went away before the producer ran), `deinit` records the call as CANCELLED, so no call goes uncounted
/// and no span stays open.
final class RPCCallRecorder: Sendable {
    private let instruments: RPCInstruments
    private let descriptor: MethodDescriptor
    private let span: any Span
    private let deadline: ContinuousClock.Instant?
    private let started = ContinuousClock.now
    private let inFlight: Meter?
    private let finished = Atomic(false)

    init(
        _ instruments: RPCInstruments, descriptor: MethodDescriptor, span: any Span,
        deadline: ContinuousClock.Instant?
    ) {
        self.instruments = instruments
        self.descriptor = descriptor
        self.span = span
        self.deadline = deadline
        inFlight = instruments.inFlight(descriptor)
        inFlight?.increment()
    }

    deinit {
        finish(RPCError(code: .cancelled, message: "The call ended before its status was known."))
    }

    /// Records the outcome: `nil` is OK, any error counts with the status it is (or will be) sent with.
    func finish(_ error: (any Error)?) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let elapsed = ContinuousClock.now - started
        let status = error.map(statusCode) ?? .ok
        let code = Self.label(status)
        let handles = instruments.outcome(descriptor, code: code)
        handles.requests.increment()
        handles.duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        inFlight?.decrement()
        span.attributes["grpc.status_code"] = status.rawValue
        if status != .ok {
            // A failed call is kept whatever the sampling decision (ZipkinSpan keeps errored spans).
            span.setStatus(SpanStatus(code: .error, message: code))
            if let error = error as? RPCError, !error.message.isEmpty {
                span.attributes["grpc.status_message"] = String(error.message.prefix(256))
            }
        }
        span.end()
    }

    /// Runs `body`; a throw is the call's outcome, recorded before it is rethrown.
    func observe<T>(_ body: () async throws -> T) async throws -> T {
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

    /// The status name; codes outside gRPC's 17 (which a hostile peer may send) share one label value, so a
    /// peer cannot grow the number of series.
    static func label(_ code: RPCError.Code) -> String {
        (0...16).contains(code.rawValue) ? code.description : "UNKNOWN"
    }
}
