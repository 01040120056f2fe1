/// Where a client channel connects.
public enum RPCTarget: Sendable, Hashable {
    /// One host and port; a host name resolving to several addresses is balanced over all of them.
    case hostPort(String, Int)
    /// A fixed list of addresses, balanced round-robin.
    case addresses([HostPort])

    public struct HostPort: Sendable, Hashable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }
}
