import MeshRPC
import Telemetry
import Tracing

extension MethodDescriptor {
    /// Zipkin's usual name for an RPC span: `package.Service/Method`.
    var spanName: String { "\(service)/\(method)" }

    /// The tags every span of this method carries.
    var spanTags: [(key: String, value: String)] {
        [("rpc.system", "grpc"), ("rpc.service", service), ("rpc.method", method)]
    }
}
