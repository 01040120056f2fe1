/// Limits applied while decoding untrusted bytes.
public struct ProtoDecodingOptions: Hashable, Sendable {
    /// Largest input accepted, in bytes. The default, 64 MiB, is far above any FileFlow message (blocks travel
    /// in chunks of at most 4 MiB) yet keeps one hostile frame from holding gigabytes; the RPC transport applies
    /// its own, usually smaller, receive limit before the bytes reach here.
    public var maxMessageSize: Int
    /// Deepest sub-message nesting accepted below the outermost message. 100, as in Google's parsers, so that
    /// anything Python or C++ protobuf accepts we accept too, and a stack of nested length prefixes cannot
    /// exhaust ours.
    public var maxDepth: Int

    public init(maxMessageSize: Int = 64 << 20, maxDepth: Int = 100) {
        self.maxMessageSize = maxMessageSize
        self.maxDepth = maxDepth
    }

    public static let `default` = ProtoDecodingOptions()
}
