internal import Hummingbird
internal import NIOCore

/// Per-request context: Hummingbird's core storage plus the peer address (for sign-in throttling).
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer's IP address; see `Authenticator.clientAddress` for the one throttling uses.
    let peerAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// JSON bodies are decoded by `JSONRequest`, with the configured cap; this bounds anything else that decodes.
    var maxUploadSize: Int { 1 << 20 }
}
