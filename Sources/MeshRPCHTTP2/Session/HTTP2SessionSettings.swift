/// Tunables of one HTTP/2 connection, chosen for throughput (see PERFORMANCE.md: MiB windows).
public struct HTTP2SessionSettings: Sendable {
    public var maxConcurrentStreams: UInt32 = 1024
    /// Per-stream receive window; WINDOW_UPDATE is batched by nghttp2 (sent at half consumed).
    public var initialStreamWindowSize: UInt32 = 4 << 20
    /// Connection receive window.
    public var connectionWindowSize: Int32 = 16 << 20
    /// Largest DATA frame we accept; bigger frames mean fewer callbacks per megabyte.
    public var maxFrameSize: UInt32 = 1 << 18
    /// SETTINGS_MAX_HEADER_LIST_SIZE, also enforced locally: a bigger header block resets the stream.
    public var maxHeaderListSize: UInt32 = 16 << 10

    public init() {}
}
