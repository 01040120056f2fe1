import MeshRPC
import NIOCore

/// One client-side HTTP/2 connection: opens a stream per call, feeds responses through each
/// stream's state machine into the caller's inbound queue. Runs on the channel's event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One call's event-loop state; its id exists once the request headers were submitted.
    final class Stream {
        var id: Int32?
        var machine: ClientStreamStateMachine
        let path: String
        let deadline: ContinuousClock.Instant?
        let inbound: RPCMessageQueue<RPCResponsePart>
        let credit: WriteCredit
        let refusal: StreamRefusal
        var deferredConsume = 0
        var done = false
        /// Breaks the cycle the call's closures make (stream → inbound queue → its callbacks → the box that finds
        /// this stream) once the call is over; without it every call's state would outlive it.
        var detach: (() -> Void)?

        init(path: String, deadline: ContinuousClock.Instant?, maxReceiveMessageBytes: Int,
             inbound: RPCMessageQueue<RPCResponsePart>, credit: WriteCredit, refusal: StreamRefusal) {
            self.path = path
            self.deadline = deadline
            self.machine = ClientStreamStateMachine(maxReceiveMessageBytes: maxReceiveMessageBytes)
            self.inbound = inbound
            self.credit = credit
            self.refusal = refusal
        }
    }

    private let settings: HTTP2SessionSettings
    private let authority: String
    private let onStateChange: @Sendable (ClientConnectionEvent) -> Void
    private var session: NGHTTP2Session?
    private var context: ChannelHandlerContext?
    private var streams = StreamTable<Stream>()
    private var reading = false
    private var flushScheduled = false
    private var closed = false
    private let maxBufferedReceiveBytes = 4 << 20
    private let keepalive: ClientKeepalive?
    private var keepaliveTimer: RepeatedTask?
    /// The PING awaiting its ACK, numbered so a late timeout of an earlier one does nothing.
    private var pingOutstanding: Int?
    private var pingsSent = 0

    init(
        settings: HTTP2SessionSettings, authority: String, keepalive: ClientKeepalive? = nil,
        onStateChange: @escaping @Sendable (ClientConnectionEvent) -> Void
    ) {
        self.settings = settings
        self.authority = authority
        self.keepalive = keepalive
        self.onStateChange = onStateChange
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            session = try NGHTTP2Session(role: .client, settings: settings, allocator: context.channel.allocator)
            flushSession()
        } catch {
            context.close(promise: nil)
            return
        }
        if let keepalive {
            let interval = TimeAmount(keepalive.interval)
            // Cancelled in channelInactive and handlerRemoved, which ends the reference this timer holds.
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                bound.value.keepaliveTick()
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepaliveTimer?.cancel()
        self.context = nil
        session = nil
    }

    /// While calls are open, a PING every interval; one unanswered for the timeout means the peer or the path to it
    /// is gone without a FIN (a crashed host, a dropped NAT entry): the connection is closed, its calls fail
    /// UNAVAILABLE at once instead of waiting forever, and the pool reconnects. Idle connections are not pinged, as
    /// stock gRPC servers refuse pings without calls.
    private func keepaliveTick() {
        guard let keepalive, let session, let context, !closed, !streams.isEmpty, pingOutstanding == nil else { return }
        pingsSent += 1
        let ping = pingsSent
        pingOutstanding = ping
        session.submitPing()
        flushSession()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: TimeAmount(keepalive.timeout)) {
            let handler = bound.value
            guard handler.pingOutstanding == ping, !handler.closed else { return }
            handler.context?.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !closed else { return }
        reading = true
        do {
            process(try session.receive(unwrapInboundIn(data)))
        } catch {
            flushSession()
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flushSession()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        keepaliveTimer?.cancel()
        for stream in streams.allValues {
            finish(stream, Status(code: .unavailable, message: "The connection closed."), [:])
        }
        streams.removeAll()
        onStateChange(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Streams

    /// Creates a call's stream; the HTTP/2 stream opens when the caller writes the metadata. `refusal` is marked
    /// when the call provably never reached the server (see `refuse`).
    func makeStream(
        path: String, deadline: ContinuousClock.Instant?, options: CallOptions, refusal: StreamRefusal,
        loop: any EventLoop
    ) -> RPCClientStream {
        let handler = NIOLoopBound(self, eventLoop: loop)
        let box = NIOLoopBoundBox<Stream?>(nil, eventLoop: loop)
        let inbound = RPCMessageQueue<RPCResponsePart>(
            highWatermark: maxBufferedReceiveBytes,
            lowWatermark: maxBufferedReceiveBytes / 2,
            sizeOf: { part in if case .message(let bytes) = part { return bytes.readableBytes } else { return 0 } },
            onDemand: { loop.execute { if let stream = box.value { handler.value.grantDeferredWindow(stream) } } },
            onConsumerCancelled: { loop.execute { if let stream = box.value { handler.value.cancel(stream) } } }
        )
        let credit = WriteCredit(limit: maxBufferedReceiveBytes)
        let stream = Stream(
            path: path, deadline: deadline, maxReceiveMessageBytes: options.maxResponseMessageBytes,
            inbound: inbound, credit: credit, refusal: refusal)
        box.value = stream
        stream.detach = { box.value = nil }
        if closed || context == nil {
            refuse(stream, "The connection closed before the call started.")
        }
        return RPCClientStream(
            inbound: inbound.sequence,
            outbound: ClosableRPCWriter(
                write: { part in
                    if case .message(let bytes) = part { try await credit.reserve(bytes.readableBytes + 5) }
                    loop.execute { if let stream = box.value { handler.value.send(part, on: stream) } }
                },
                finish: { error in
                    loop.execute { if let stream = box.value { handler.value.endRequest(stream, error: error) } }
                }
            )
        )
    }

    private func send(_ part: RPCRequestPart, on stream: Stream) {
        guard !stream.done else { return }
        guard let session, let context, !closed else {
            // Streams that opened were failed when the connection closed; this one never got that far.
            if stream.id == nil { refuse(stream, "The connection closed before the call started.") }
            return
        }
        switch part {
        case .metadata(let metadata):
            guard stream.id == nil else { return }
            let timeout = stream.deadline.map { $0 - ContinuousClock.now }
            if let timeout, timeout <= .zero {
                finish(stream, Status(code: .deadlineExceeded, message: "Deadline exceeded before the call started."), [:])
                return
            }
            let fields = GRPCHeaders.request(path: stream.path, authority: authority, metadata: metadata, timeout: timeout)
            do {
                let id = try session.submitRequest(fields: fields)
                stream.id = id
                streams[id] = stream
            } catch {
                refuse(stream, "Could not open a stream: \(error)")
            }
        case .message(let bytes):
            guard let id = stream.id else { return }
            GRPCMessageFramer.frame(bytes, allocator: context.channel.allocator) { session.enqueue(streamID: id, $0) }
        }
        scheduleFlush()
    }

    private func endRequest(_ stream: Stream, error: (any Error)?) {
        guard !stream.done else { return }
        guard let id = stream.id else {
            // Ended before it ever opened (the caller gave up before writing its metadata).
            finish(stream, Status(code: .cancelled, message: "The call ended before it started."), [:])
            return
        }
        if error != nil {
            cancel(stream)
        } else {
            session?.endBody(streamID: id, trailers: nil)
            scheduleFlush()
        }
    }

    /// The caller gave up: RST_STREAM CANCEL, and the call is over locally.
    func cancel(_ stream: Stream) {
        guard !stream.done else { return }
        if let id = stream.id { session?.resetStream(streamID: id, errorCode: 8) }
        finish(stream, Status(code: .cancelled, message: "The call was cancelled."), [:])
        scheduleFlush()
    }

    /// Fails a call the server provably never processed, marking it so the transport may retry it elsewhere.
    private func refuse(_ stream: Stream, _ message: String) {
        stream.refusal.mark()
        finish(stream, Status(code: .unavailable, message: message), [:])
    }

    private func finish(_ stream: Stream, _ status: Status, _ trailers: Metadata) {
        guard !stream.done else { return }
        stream.done = true
        stream.inbound.yield(.status(status, trailers))
        stream.inbound.finish()
        stream.credit.close(RPCError(code: .cancelled, message: "The call is over."))
        stream.detach?()
        stream.detach = nil
    }

    private func grantDeferredWindow(_ stream: Stream) {
        guard let id = stream.id, stream.deferredConsume > 0 else { return }
        session?.consume(streamID: id, count: stream.deferredConsume)
        stream.deferredConsume = 0
        scheduleFlush()
    }

    // MARK: Session events

    private func process(_ events: [NGHTTP2Event]) {
        for event in events {
            switch event {
            case .headers(let streamID, let fields, let endStream):
                guard let stream = streams[streamID] else { continue }
                apply(stream.machine.receiveHeaders(fields, endStream: endStream), to: stream, streamOpen: !endStream)
            case .data(let streamID, let chunk):
                guard let stream = streams[streamID], !stream.done else {
                    session?.consume(streamID: streamID, count: chunk.readableBytes)
                    continue
                }
                if stream.inbound.isAcceptingMore {
                    session?.consume(streamID: streamID, count: chunk.readableBytes)
                } else {
                    stream.deferredConsume += chunk.readableBytes
                }
                let action = stream.machine.receiveData(chunk) { stream.inbound.yield(.message($0)) }
                apply(action, to: stream, streamOpen: true)
            case .endStream(let streamID):
                guard let stream = streams[streamID] else { continue }
                apply(stream.machine.receiveEndOnData(), to: stream, streamOpen: false)
            case .streamClosed(let streamID, let errorCode):
                guard let stream = streams.removeValue(for: streamID) else { continue }
                session?.consume(streamID: streamID, count: stream.deferredConsume)
                apply(stream.machine.streamClosed(errorCode: errorCode), to: stream, streamOpen: false)
                stream.credit.close(RPCError(code: .cancelled, message: "The call is over."))
            case .dataSent(let streamID, let count):
                streams[streamID]?.credit.release(count)
            case .goawayReceived:
                onStateChange(.draining)
            case .pingAck:
                pingOutstanding = nil
            case .resetReceived:
                break
            }
        }
    }

    private func apply(_ action: ClientStreamStateMachine.InboundAction, to stream: Stream, streamOpen: Bool) {
        switch action {
        case .none:
            break
        case .metadata(let metadata):
            stream.inbound.yield(.metadata(metadata))
        case .status(let status, let trailers):
            finish(stream, status, trailers)
            if streamOpen, let id = stream.id { session?.resetStream(streamID: id, errorCode: 8) }
        case .refused(let reason):
            refuse(stream, reason)
        }
    }

    // MARK: Writing

    private func scheduleFlush() {
        guard !reading, !flushScheduled, let context else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            bound.value.flushScheduled = false
            bound.value.flushSession()
        }
    }

    private func flushSession() {
        guard let session, let context else { return }
        do {
            let (buffers, events) = try session.send()
            for buffer in buffers { context.write(wrapOutboundOut(buffer), promise: nil) }
            if !buffers.isEmpty { context.flush() }
            if !events.isEmpty { process(events) }
        } catch {
            context.close(promise: nil)
        }
    }
}

/// What a connection tells its pool.
enum ClientConnectionEvent: Sendable {
    /// The server sent GOAWAY: no new calls here.
    case draining
    case closed
}
