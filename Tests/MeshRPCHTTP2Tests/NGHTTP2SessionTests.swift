import NIOCore
import Testing

@testable import MeshRPCHTTP2

/// Two nghttp2 sessions (client and server) wired back to back in memory: the wrapper's framing,
/// flow control and event delivery without sockets.
@Suite struct NGHTTP2SessionTests {
    let allocator = ByteBufferAllocator()

    /// Moves bytes both ways until neither side has anything to send; returns the events per side.
    func pump(_ client: NGHTTP2Session, _ server: NGHTTP2Session) throws -> (client: [NGHTTP2Event], server: [NGHTTP2Event]) {
        var clientEvents: [NGHTTP2Event] = []
        var serverEvents: [NGHTTP2Event] = []
        for _ in 0..<50 {
            let fromClient = try client.send()
            clientEvents += fromClient.events
            for buffer in fromClient.buffers { serverEvents += try server.receive(buffer) }
            let fromServer = try server.send()
            serverEvents += fromServer.events
            for buffer in fromServer.buffers { clientEvents += try client.receive(buffer) }
            if fromClient.buffers.isEmpty && fromServer.buffers.isEmpty { break }
        }
        return (clientEvents, serverEvents)
    }

    @Test func requestAndResponseWithTrailersAndLargeBody() throws {
        let settings = HTTP2SessionSettings()
        let client = try NGHTTP2Session(role: .client, settings: settings, allocator: allocator)
        let server = try NGHTTP2Session(role: .server, settings: settings, allocator: allocator)
        let id = try client.submitRequest(fields: GRPCHeaders.request(path: "/a.B/C", authority: "x", metadata: [:], timeout: nil))
        let body = ByteBuffer(repeating: 7, count: 300_000)  // larger than one frame and the copy threshold
        client.enqueue(streamID: id, body)
        client.endBody(streamID: id, trailers: nil)
        var (_, serverEvents) = try pump(client, server)

        var received = 0
        var sawHeaders = false
        var sawEnd = false
        for event in serverEvents {
            switch event {
            case .headers(let streamID, let fields, _):
                #expect(streamID == id)
                #expect(fields.first(":path") == "/a.B/C")
                sawHeaders = true
            case .data(_, let chunk):
                received += chunk.readableBytes
                server.consume(streamID: id, count: chunk.readableBytes)
            case .endStream:
                sawEnd = true
            default:
                break
            }
        }
        #expect(sawHeaders && sawEnd)
        #expect(received == 300_000)

        try server.submitResponse(streamID: id, fields: GRPCHeaders.responseHead(metadata: [:]), endStream: false)
        server.enqueue(streamID: id, ByteBuffer(bytes: [0, 0, 0, 0, 1, 42]))
        server.endBody(streamID: id, trailers: GRPCHeaders.trailers(.ok, metadata: ["t": "v"]))
        let clientEvents: [NGHTTP2Event]
        (clientEvents, serverEvents) = try pump(client, server)
        let headerBlocks = clientEvents.compactMap { event -> [HeaderField]? in
            if case .headers(_, let fields, _) = event { return fields } else { return nil }
        }
        #expect(headerBlocks.count == 2)
        #expect(headerBlocks.last?.first("grpc-status") == "0")
        #expect(headerBlocks.last?.first("t") == "v")
        #expect(clientEvents.contains { if case .streamClosed(id, 0) = $0 { true } else { false } })
    }

    /// Long header values are shared across a connection's streams once seen, and never mixed up: values of the
    /// same length that differ, more distinct values than are kept, and short values all arrive as sent.
    @Test func repeatedLongHeaderValuesArriveIntact() throws {
        let settings = HTTP2SessionSettings()
        let client = try NGHTTP2Session(role: .client, settings: settings, allocator: allocator)
        let server = try NGHTTP2Session(role: .server, settings: settings, allocator: allocator)
        let paths = ["/pkg.Service/MethodAAAA", "/pkg.Service/MethodBBBB", "/pkg.Service/MethodAAAA", "/a.B/C"]
            + (0..<6).map { "/pkg.Service/Method\($0)\($0)\($0)\($0)" } + ["/pkg.Service/MethodBBBB"]
        var sent: [Int32: (String, String)] = [:]
        for (index, path) in paths.enumerated() {
            let agent = "test-client/1.0 (stream \(index % 3)) padding"
            let id = try client.submitRequest(
                fields: GRPCHeaders.request(path: path, authority: "x", metadata: ["x-client-note": .string(agent)], timeout: nil))
            client.endBody(streamID: id, trailers: nil)
            sent[id] = (path, agent)
        }
        let (_, serverEvents) = try pump(client, server)
        var received: [Int32: (String, String)] = [:]
        for case .headers(let id, let fields, _) in serverEvents {
            received[id] = (fields.first(":path") ?? "", fields.first("x-client-note") ?? "")
        }
        #expect(received.count == paths.count)
        for (id, (path, agent)) in sent {
            #expect(received[id]?.0 == path)
            #expect(received[id]?.1 == agent)
        }
    }

    @Test func withoutConsumingTheSenderStopsAtTheWindow() throws {
        var settings = HTTP2SessionSettings()
        settings.initialStreamWindowSize = 65_535
        let client = try NGHTTP2Session(role: .client, settings: settings, allocator: allocator)
        let server = try NGHTTP2Session(role: .server, settings: settings, allocator: allocator)
        let id = try client.submitRequest(fields: GRPCHeaders.request(path: "/a.B/C", authority: "x", metadata: [:], timeout: nil))
        client.enqueue(streamID: id, ByteBuffer(repeating: 1, count: 1 << 20))
        let (_, serverEvents) = try pump(client, server)
        let received = serverEvents.reduce(0) { total, event in
            if case .data(_, let chunk) = event { return total + chunk.readableBytes } else { return total }
        }
        // The reader never consumed, so exactly one stream window arrived: backpressure works.
        #expect(received == 65_535)
    }

    @Test func garbagePrefaceIsAFatalError() throws {
        let server = try NGHTTP2Session(role: .server, settings: HTTP2SessionSettings(), allocator: allocator)
        let error = #expect(throws: NGHTTP2Error.self) {
            try server.receive(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        }
        #expect(error?.isFatal == true)
    }
}
