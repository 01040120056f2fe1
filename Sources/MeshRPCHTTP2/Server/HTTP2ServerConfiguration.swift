/// How an HTTP/2 gRPC server treats its connections.
public struct HTTP2ServerConfiguration: Sendable {
    public var session = HTTP2SessionSettings()
    /// Largest request message accepted; a bigger one ends the call with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageBytes = 4 << 20
    /// Bytes a handler may queue before its writes suspend (backpressure towards a slow client).
    public var maxQueuedSendBytes = 4 << 20
    /// Bytes buffered for a handler before the server stops returning window to the client.
    public var maxBufferedReceiveBytes = 4 << 20
    /// A connection without open streams (or one that never spoke) is closed after this long.
    public var idleTimeout: Duration = .seconds(300)
    /// Interval of keepalive PINGs; nil disables them. A PING unanswered for `keepaliveTimeout` closes.
    public var keepaliveInterval: Duration? = .seconds(120)
    public var keepaliveTimeout: Duration = .seconds(20)
    /// Resets a client may send at once, and per second afterwards, before it is disconnected.
    public var resetBurst = 200
    public var resetRefillPerSecond = 33
    /// Run handler tasks on their connection's event loop: no thread hop per call. Turn off for
    /// handlers that do long CPU-bound work without awaiting.
    public var runsHandlersOnEventLoop = true
    /// How long a graceful shutdown waits for open streams before closing anyway.
    public var drainTimeout: Duration = .seconds(30)

    public init() {}
}
