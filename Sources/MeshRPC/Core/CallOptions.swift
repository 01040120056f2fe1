/// Per-call settings a client chooses: deadline, whether to wait for a connection, message limits.
public struct CallOptions: Sendable {
    /// Time allowed for the whole call; sent to the server as `grpc-timeout`, enforced locally too.
    public var timeout: Duration?
    /// When true a call waits for a connection (until its deadline) instead of failing UNAVAILABLE.
    public var waitForReady: Bool
    /// Largest response message accepted; a bigger one fails the call with RESOURCE_EXHAUSTED.
    public var maxResponseMessageBytes: Int

    public init(timeout: Duration? = nil, waitForReady: Bool = false, maxResponseMessageBytes: Int = 4 << 20) {
        self.timeout = timeout
        self.waitForReady = waitForReady
        self.maxResponseMessageBytes = maxResponseMessageBytes
    }

    public static let defaults = CallOptions()
}
