import CoreMetrics
import MeshRPC
import Synchronization
import Telemetry

/// The metric handles of one side (server or client), made once per method and status: finding a series in the
/// registry (validating its name, hashing its labels, under a lock) costs more than recording into it, and it
/// would otherwise be paid on every call.
///
/// The keys are bounded: methods are the router's or the client's own, and status labels are the 17 gRPC
/// names plus UNKNOWN.
final class RPCInstruments: Sendable {
    struct Names: Sendable {
        var requests: MetricName
        var duration: MetricName
        /// Server side only.
        var inFlight: MetricName?
    }

    static let server = Names(
        requests: .rpcServerRequests, duration: .rpcServerDuration, inFlight: .rpcServerInFlight)
    static let client = Names(requests: .rpcClientRequests, duration: .rpcClientDuration, inFlight: nil)

    private let names: Names
    private let factory: any MetricsFactory
    private let methods = Mutex<[MethodDescriptor: MethodInstruments]>([:])

    init(_ names: Names, factory: any MetricsFactory) {
        self.names = names
        self.factory = factory
    }

    /// The handles of `method`: one lookup per call, the statuses' handles hang off it.
    func method(_ method: MethodDescriptor) -> MethodInstruments {
        methods.withLock { methods in
            if let instruments = methods[method] { return instruments }
            let instruments = MethodInstruments(method, names: names, factory: factory)
            methods[method] = instruments
            return instruments
        }
    }
}

/// One method's handles: its in-flight meter (server side), and the request counter and timer of each status,
/// made when that status first occurs so that `/metrics` only lists the statuses seen. Its span name is made once
/// here too.
final class MethodInstruments: Sendable {
    struct Outcome: Sendable {
        let requests: Counter
        let duration: Timer
        /// `method.spanTags` and, for gRPC's 17 codes, the status code, encoded for Zipkin spans once rather than
        /// per call. The other codes share one `Outcome`, so theirs is tagged per call.
        let spanTags: EncodedSpanTags
    }

    let spanName: String
    let inFlight: Meter?
    private let method: MethodDescriptor
    private let names: RPCInstruments.Names
    private let factory: any MetricsFactory
    /// Indexed by status code, UNKNOWN's slot last; an array, so recording hashes nothing.
    private let outcomes = Mutex<[Outcome?]>(Array(repeating: nil, count: 18))

    init(_ method: MethodDescriptor, names: RPCInstruments.Names, factory: any MetricsFactory) {
        self.method = method
        self.names = names
        self.factory = factory
        spanName = method.spanName
        inFlight = names.inFlight.map { name in
            Meter(
                label: name.name, dimensions: [("service", method.service), ("method", method.method)],
                factory: factory)
        }
    }

    /// The handles of one status; codes outside gRPC's 17 (which a hostile peer may send) share UNKNOWN's, so a
    /// peer cannot grow the number of series.
    func outcome(_ code: RPCError.Code) -> Outcome {
        let slot = RPCCallRecorder.isStandard(code) ? code.rawValue : 17
        return outcomes.withLock { outcomes in
            if let handles = outcomes[slot] { return handles }
            let labels = [("service", method.service), ("method", method.method), ("code", RPCCallRecorder.label(code))]
            let handles = Outcome(
                requests: Counter(label: names.requests.name, dimensions: labels, factory: factory),
                duration: Timer(label: names.duration.name, dimensions: labels, factory: factory),
                spanTags: EncodedSpanTags(
                    RPCCallRecorder.isStandard(code)
                        ? method.spanTags + [(RPCCallRecorder.statusCodeTag, "\(code.rawValue)")] : method.spanTags)
            )
            outcomes[slot] = handles
            return handles
        }
    }
}
