import Foundation
public import MeshRPC
import MeshRPCHTTP2

/// Clients for calling other services of the mesh.
public enum MeshClient {
    /// A client for `target`: `host:port`, or a comma-separated list of them balanced round-robin. A host name
    /// resolving to several addresses is balanced over all of them. Pass the process's
    /// `ServiceTelemetry.clientInterceptors` so that calls carry the trace. `connectionsPerAddress` above 1 is for
    /// clients holding many long-lived streams (a server admits 1,024 per connection).
    public static func connect(
        _ target: String, interceptors: [any ClientInterceptor] = [], connectionsPerAddress: Int = 1
    ) throws -> RPCClient {
        let addresses = try target.split(separator: ",").map { entry -> RPCTarget.HostPort in
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65535).contains(port), colon != text.startIndex
            else { throw RPCError(code: .invalidArgument, message: "RPC target \(text) is not host:port") }
            let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return RPCTarget.HostPort(host: host, port: port)
        }
        guard let first = addresses.first else {
            throw RPCError(code: .invalidArgument, message: "empty RPC target")
        }
        var configuration = HTTP2ClientConfiguration()
        configuration.connectionsPerAddress = connectionsPerAddress
        // Our own servers take pings this often; a vanished peer then fails its calls within a minute.
        configuration.keepalive = ClientKeepalive(interval: .seconds(30), timeout: .seconds(20))
        let transport = HTTP2ClientTransport(
            target: addresses.count == 1 ? .hostPort(first.host, first.port) : .addresses(addresses),
            configuration: configuration)
        return RPCClient(transport: transport, interceptors: interceptors)
    }
}
