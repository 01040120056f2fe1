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
    /// The least time between resolutions of the target's names; they are resolved again only after a connection
    /// attempt failed or a connection went away (gRPC's DNS resolver waits 30 s too).
    public var reresolveInterval: Duration = .seconds(30)
    /// Request bytes kept per call so it can be retried transparently (once, when the server provably never
    /// processed it); a call that sent more is not retried. gRPC's per-call retry buffer is 1 MiB too.
    public var transparentRetryBufferBytes = 1 << 20

    /// PINGs while calls are open, to find a peer that vanished without closing; nil (the default, as for gRPC
    /// clients) sends none. Stock gRPC servers refuse pings more often than every 5 minutes.
    public var keepalive: ClientKeepalive?

    public init() {}
}

/// How often a client pings a connection that has open calls, and how long it waits for the answer.
public struct ClientKeepalive: Sendable {
    public var interval: Duration
    public var timeout: Duration

    public init(interval: Duration, timeout: Duration = .seconds(20)) {
        self.interval = interval
        self.timeout = timeout
    }
}
