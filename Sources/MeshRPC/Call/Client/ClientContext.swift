/// What a client interceptor knows about the call besides its request.
public struct ClientContext: Sendable {
    public let descriptor: MethodDescriptor
    public var options: CallOptions
    public let deadline: ContinuousClock.Instant?

    public init(descriptor: MethodDescriptor, options: CallOptions, deadline: ContinuousClock.Instant?) {
        self.descriptor = descriptor
        self.options = options
        self.deadline = deadline
    }
}
