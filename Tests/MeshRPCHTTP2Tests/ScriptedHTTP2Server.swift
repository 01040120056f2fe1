import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

@testable import MeshRPCHTTP2

/// An HTTP/2 server on a real socket that treats each request as its script says — refusing it, sending GOAWAY
/// below it, starting and then refusing it, ignoring it, or answering it — to cause the faults a well-behaved
/// server only causes under load or shutdown.
final class ScriptedHTTP2Server: Sendable {
    enum Reply: Sendable {
        /// RST_STREAM REFUSED_STREAM as soon as the request headers arrive.
        case refuse
        /// GOAWAY whose last-stream-id is below this request's stream, then the connection closes.
        case goAwayBelow
        /// Response headers, then RST_STREAM REFUSED_STREAM: the server did start on this one.
        case startThenRefuse
        /// Nothing, ever.
        case ignore
        /// OK with one message: the request messages concatenated.
        case echo
    }

    /// Each request as it arrived: the order of arrival decides its reply.
    let requests = NIOLockedValueBox(0)
    let connections = NIOLockedValueBox(0)
    /// The request messages each echoed call carried, joined.
    let echoed = NIOLockedValueBox<[String]>([])
    private let script: @Sendable (_ request: Int) -> Reply
    private let listener: any Channel

    init(script: @escaping @Sendable (_ request: Int) -> Reply) async throws {
        self.script = script
        let requests = self.requests
        let connections = self.connections
        let echoed = self.echoed
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                connections.withLockedValue { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Connection(script: script, requests: requests, echoed: echoed))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { listener.localAddress!.port! }

    func close() async { try? await listener.close() }

    /// One connection: an nghttp2 server session driven by the script.
    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let script: @Sendable (Int) -> Reply
        let requests: NIOLockedValueBox<Int>
        let echoed: NIOLockedValueBox<[String]>
        var session: NGHTTP2Session?
        var bodies: [Int32: GRPCMessageDeframer] = [:]
        var received: [Int32: String] = [:]

        init(script: @escaping @Sendable (Int) -> Reply, requests: NIOLockedValueBox<Int>,
             echoed: NIOLockedValueBox<[String]>) {
            self.script = script
            self.requests = requests
            self.echoed = echoed
        }

        func handlerAdded(context: ChannelHandlerContext) {
            session = try? NGHTTP2Session(role: .server, settings: HTTP2SessionSettings(),
                                          allocator: context.channel.allocator)
            flush(context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let session, let events = try? session.receive(unwrapInboundIn(data)) else {
                context.close(promise: nil)
                return
            }
            var closeAfterFlush = false
            for event in events {
                switch event {
                case .headers(let id, _, _):
                    let request = requests.withLockedValue { count in
                        defer { count += 1 }
                        return count
                    }
                    switch script(request) {
                    case .refuse:
                        session.resetStream(streamID: id, errorCode: 0x7)
                    case .goAwayBelow:
                        session.submitGoaway(errorCode: 0, lastStreamID: max(0, id - 2))
                        closeAfterFlush = true
                    case .startThenRefuse:
                        try? session.submitResponse(streamID: id, fields: Self.responseHeaders, endStream: false)
                        flush(context)  // the headers must leave before the reset, or nghttp2 drops them
                        session.resetStream(streamID: id, errorCode: 0x7)
                    case .ignore:
                        break
                    case .echo:
                        bodies[id] = GRPCMessageDeframer(maxMessageBytes: 1 << 20)
                        received[id] = ""
                    }
                case .data(let id, let chunk):
                    session.consume(streamID: id, count: chunk.readableBytes)
                    try? bodies[id]?.process(chunk) { message in received[id, default: ""] += String(buffer: message) }
                case .endStream(let id):
                    guard let body = received.removeValue(forKey: id) else { continue }
                    echoed.withLockedValue { $0.append(body) }
                    try? session.submitResponse(streamID: id, fields: Self.responseHeaders, endStream: false)
                    GRPCMessageFramer.frame(ByteBuffer(string: body), allocator: context.channel.allocator) {
                        session.enqueue(streamID: id, $0)
                    }
                    session.endBody(streamID: id, trailers: [HeaderField("grpc-status", "0")])
                default:
                    continue
                }
            }
            flush(context)
            if closeAfterFlush { context.close(promise: nil) }
        }

        private func flush(_ context: ChannelHandlerContext) {
            guard let session, let (buffers, _) = try? session.send() else { return }
            for buffer in buffers { context.write(wrapOutboundOut(buffer), promise: nil) }
            context.flush()
        }

        static let responseHeaders = [HeaderField(":status", "200"), HeaderField("content-type", "application/grpc")]
    }
}
