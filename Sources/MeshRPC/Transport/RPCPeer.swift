public import NIOCore

/// The other end of a server connection, made once per connection and shared by all its streams: what a call
/// needs of its peer (a span's remote address and port) is then read, not parsed from text on every call.
public final class RPCPeer: Sendable, CustomStringConvertible {
    /// As logs show it: SwiftNIO's form for a socket (`[IPv4]127.0.0.1/127.0.0.1:5000`), else a name.
    public let description: String
    /// The peer's IP address, for a TCP peer.
    public let ipAddress: String?
    /// The peer's port, for a TCP peer.
    public let port: Int?

    /// A peer that is not a socket (`in-process`, `unknown`).
    public init(name: String) {
        description = name
        ipAddress = nil
        port = nil
    }

    /// A socket peer; a Unix-domain one (no IP address) keeps only its description.
    public init(_ address: SocketAddress) {
        description = "\(address)"
        ipAddress = address.ipAddress
        port = address.port
    }

    public static let inProcess = RPCPeer(name: "in-process")
    public static let unknown = RPCPeer(name: "unknown")
}
