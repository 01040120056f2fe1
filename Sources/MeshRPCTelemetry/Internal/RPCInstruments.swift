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

    private struct Outcome: Hashable {
        var method: MethodDescriptor
        var code: String
    }

    private let names: Names
    private let factory: any MetricsFactory
    private let outcomes = Mutex<[Outcome: (requests: Counter, duration: Timer)]>([:])
    private let inFlightMeters = Mutex<[MethodDescriptor: Meter]>([:])

    init(_ names: Names, factory: any MetricsFactory) {
        self.names = names
        self.factory = factory
    }

    func outcome(_ method: MethodDescriptor, code: String) -> (requests: Counter, duration: Timer) {
        outcomes.withLock { outcomes in
            let key = Outcome(method: method, code: code)
            if let handles = outcomes[key] { return handles }
            let labels = [("service", method.service), ("method", method.method), ("code", code)]
            let handles = (
                Counter(label: names.requests.name, dimensions: labels, factory: factory),
                Timer(label: names.duration.name, dimensions: labels, factory: factory)
            )
            outcomes[key] = handles
            return handles
        }
    }

    func inFlight(_ method: MethodDescriptor) -> Meter? {
        guard let name = names.inFlight else { return nil }
        return inFlightMeters.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(
                label: name.name, dimensions: [("service", method.service), ("method", method.method)],
                factory: factory)
            meters[method] = meter
            return meter
        }
    }
}
