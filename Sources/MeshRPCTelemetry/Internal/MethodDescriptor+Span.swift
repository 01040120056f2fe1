import MeshRPC
import Telemetry
import Tracing

extension MethodDescriptor {
    /// Zipkin's usual name for an RPC span: `package.Service/Method`.
    var spanName: String { "\(service)/\(method)" }

    func describe(_ span: some Span) {
        span.attributes["rpc.system"] = "grpc"
        span.attributes["rpc.service"] = service
        span.attributes["rpc.method"] = method
    }
}

/// Splits a peer as SwiftNIO prints it (`[IPv4]host/127.0.0.1:5555`, `[IPv6]host/::1:5555`) into address and
/// port; nil for anything else (`in-process`, `unknown`).
func peerAddress(_ peer: String) -> (address: String, port: Int)? {
    let hostPort = peer.lastIndex(of: "/").map { peer[peer.index(after: $0)...] } ?? Substring(peer)
    guard peer.hasPrefix("[IPv"), let colon = hostPort.lastIndex(of: ":"),
        let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port)
    else { return nil }
    let address = hostPort[..<colon]
    guard !address.isEmpty else { return nil }
    return (String(address), port)
}
