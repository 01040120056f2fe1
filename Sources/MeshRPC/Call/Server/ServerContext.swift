/// What a server handler knows about its call beyond the request itself.
public struct ServerContext: Sendable {
    public let descriptor: MethodDescriptor
    /// The client's deadline; the handler is cancelled when it passes.
    public let deadline: ContinuousClock.Instant?
    public let peer: RPCPeer

    public init(descriptor: MethodDescriptor, deadline: ContinuousClock.Instant?, peer: RPCPeer) {
        self.descriptor = descriptor
        self.deadline = deadline
        self.peer = peer
    }
}
