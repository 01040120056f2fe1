import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1.1 port every service has beside its RPC port (CONTRACT.md §2): `/healthz` (the process is alive),
/// `/readyz` (its backing servers answer) and `/metrics` (Prometheus text format).
///
/// Deliberately tiny: three GET routes, no bodies in, bounded request heads; anything else is 404 or 405.
public final class OpsServer: Sendable {
    /// What `/readyz` checks; an error or `false` answers 503 with the reason.
    public typealias Readiness = @Sendable () async -> (ready: Bool, detail: String)

    private let host: String
    private let port: Int
    private let readiness: Readiness
    private let metrics: @Sendable () -> String
    private let group: any EventLoopGroup
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(
        host: String = "127.0.0.1", port: Int, readiness: @escaping Readiness,
        metrics: @escaping @Sendable () -> String,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.readiness = readiness
        self.metrics = metrics
        self.group = group
    }

    /// Binds and returns the port actually bound (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let readiness = self.readiness
        let metrics = self.metrics
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(OpsHandler(readiness: readiness, metrics: metrics))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    public func stop() async {
        let bound = channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await bound?.close()
    }
}

private final class OpsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let readiness: OpsServer.Readiness
    private let metrics: @Sendable () -> String
    private var head: HTTPRequestHead?

    init(readiness: @escaping OpsServer.Readiness, metrics: @escaping @Sendable () -> String) {
        self.readiness = readiness
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead): head = requestHead
        case .body: break  // no route takes a body; it is read and dropped
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard ["/healthz", "/readyz", "/metrics"].contains(path) else {
            return write(.notFound, "not found\n", head: head, context: context)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return write(.methodNotAllowed, "only GET\n", head: head, context: context)
        }
        switch path {
        case "/healthz":
            write(.ok, "ok\n", head: head, context: context)
        case "/metrics":
            write(.ok, metrics(), head: head, context: context,
                  contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let promise = loop.makePromise(of: (Bool, String).self)
            promise.completeWithTask { [readiness] in await readiness() }
            promise.futureResult.whenSuccess { ready, detail in
                let (handler, context) = bound.value
                handler.write(ready ? .ok : .serviceUnavailable, detail + "\n", head: head, context: context)
            }
        }
    }

    private func write(
        _ status: HTTPResponseStatus, _ text: String, head: HTTPRequestHead, context: ChannelHandlerContext,
        contentType: String = "text/plain; charset=utf-8"
    ) {
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.readableBytes))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let done = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}
