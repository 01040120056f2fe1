/// Client connection settings: backoff follows gRPC's connection-backoff spec.
public struct HTTP2ClientConfiguration: Sendable {
    public var session = HTTP2SessionSettings()
    public var connectTimeout: Duration = .seconds(20)
    public var initialBackoff: Duration = .seconds(1)
    public var maxBackoff: Duration = .seconds(120)
    public var backoffMultiplier = 1.6
    /// Connections opened to each resolved address, calls balanced round-robin over all of them. More than one
    /// for long-lived streams (live events): a server admits `maxConcurrentStreams` per connection.
    public var connectionsPerAddress = 1

    public init() {}
}
