import MeshRPC
import NIOCore

/// One server-side HTTP/2 connection: feeds bytes to the nghttp2 session, runs each stream's state
/// machine, starts a handler task per accepted stream and writes what the handlers produce.
/// Everything here runs on the channel's event loop; handler tasks reach it through `execute`.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One accepted stream's event-loop state.
    private final class Stream {
        let id: Int32
        var machine: ServerStreamStateMachine
        let inbound: RPCMessageQueue<RPCRequestPart>
        let credit: WriteCredit
        var task: Task<Void, Never>?
        var deferredConsume = 0
        var remoteEnded = false
        /// Set once the stream is failed or reset, so a handler started after it is cancelled at its start.
        var aborted = false
        /// What the handler gets, from acceptance until `startPendingHandlers` moves it into the handler's task:
        /// kept here rather than beside the stream in `pendingStarts`, where each copy of its many references
        /// cost a retain and a release apiece.
        var pendingStart: RPCServerStream?

        init(id: Int32, machine: ServerStreamStateMachine, inbound: RPCMessageQueue<RPCRequestPart>, credit: WriteCredit) {
            self.id = id
            self.machine = machine
            self.inbound = inbound
            self.credit = credit
        }
    }

    /// What a stream's handler task holds of the connection: one object, so the write, finish and window closures
    /// each capture just this reference and need no context allocation of their own (three fewer per call).
    private final class HandlerLink: Sendable {
        let streamID: Int32
        let loop: any EventLoop
        let credit: WriteCredit
        /// Used only on `loop`, which each method below checks or moves to (once, unlike `NIOLoopBound`, which
        /// checks again on every access).
        nonisolated(unsafe) private let connection: ServerConnectionHandler

        init(streamID: Int32, connection: ServerConnectionHandler, loop: any EventLoop, credit: WriteCredit) {
            self.streamID = streamID
            self.loop = loop
            self.connection = connection
            self.credit = credit
        }

        /// Hands a response part to the connection. On the loop already (a handler task preferring it) no nghttp2
        /// call is in progress: handlers start after the session returned its events, and resume as loop jobs.
        func send(_ part: RPCResponsePart) {
            if loop.inEventLoop {
                connection.send(part, streamID: streamID)
            } else {
                loop.execute { self.connection.send(part, streamID: self.streamID) }
            }
        }

        /// Ends the response: normally, or with a reset when `error` is set.
        func finish(_ error: (any Error)?) {
            if loop.inEventLoop {
                connection.finishOutbound(streamID: streamID, error: error)
            } else {
                loop.execute { self.connection.finishOutbound(streamID: self.streamID, error: error) }
            }
        }

        /// Returns the flow-control window held back while the handler's inbound queue was full.
        func grantDeferredWindow() {
            loop.execute { self.connection.grantDeferredWindow(streamID: self.streamID) }
        }
    }

    private let configuration: HTTP2ServerConfiguration
    private let streamHandler: RPCStreamHandler
    private var session: NGHTTP2Session?
    private var context: ChannelHandlerContext?
    private var streams = StreamTable<Stream>()
    private var resetGuard: RapidResetGuard
    private var idleTimer: Scheduled<Void>?
    private var keepaliveTimer: RepeatedTask?
    private var pingOutstandingSince: NIODeadline?
    private var flushScheduled = false
    private var reading = false
    private var closing = false
    private var draining = false
    private var peer = RPCPeer.unknown
    private var executor: EventLoopTaskExecutor?
    /// Streams accepted while processing a batch of session events; their handlers start once the whole batch is
    /// processed (`startPendingHandlers`).
    private var pendingStarts: [Stream] = []

    init(configuration: HTTP2ServerConfiguration, streamHandler: @escaping RPCStreamHandler) {
        self.configuration = configuration
        self.streamHandler = streamHandler
        self.resetGuard = RapidResetGuard(
            burst: configuration.resetBurst, refillPerSecond: configuration.resetRefillPerSecond, now: .now())
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if configuration.runsHandlersOnEventLoop { executor = EventLoopTaskExecutor(loop: context.eventLoop) }
        do {
            session = try NGHTTP2Session(role: .server, settings: configuration.session, allocator: context.channel.allocator)
        } catch {
            context.close(promise: nil)
            return
        }
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard idleTimer == nil else { return }
        peer = context.channel.remoteAddress.map(RPCPeer.init) ?? .unknown
        resetIdleTimer()
        if let interval = configuration.keepaliveInterval {
            let amount = TimeAmount(interval)
            // Cancelled in channelInactive, which ends the reference this timer holds.
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
                bound.value.keepaliveTick()
            }
        }
        flushSession()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !closing else { return }
        reading = true
        do {
            process(try session.receive(unwrapInboundIn(data)))
        } catch {
            // Garbage instead of a preface, a flood, a broken frame: send what nghttp2 queued
            // (usually GOAWAY) and hang up. Other connections are untouched.
            flushSession()
            closeConnection()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flushSession()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        idleTimer?.cancel()
        keepaliveTimer?.cancel()
        let error = RPCError(code: .unavailable, message: "The connection closed.")
        for stream in streams.allValues { abort(stream, error) }
        streams.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeConnection()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        session = nil
    }

    // MARK: Session events

    private func process(_ events: [NGHTTP2Event]) {
        defer { startPendingHandlers() }
        for event in events {
            switch event {
            case .headers(let streamID, let fields, let endStream):
                receiveHeaders(streamID: streamID, fields: fields, endStream: endStream)
            case .data(let streamID, let chunk):
                receiveData(streamID: streamID, chunk: chunk)
            case .endStream(let streamID):
                guard let stream = streams[streamID] else { continue }
                stream.remoteEnded = true
                apply(stream.machine.receiveEnd(), to: stream)
            case .streamClosed(let streamID, let errorCode):
                closeStream(streamID: streamID, errorCode: errorCode)
            case .resetReceived:
                if !resetGuard.recordReset(now: .now()) {
                    // Rapid reset: tell the abuser why, then disconnect it.
                    session?.submitGoaway(errorCode: 0xB)  // ENHANCE_YOUR_CALM
                    flushSession()
                    closeConnection()
                    return
                }
            case .dataSent(let streamID, let count):
                streams[streamID]?.credit.release(count)
            case .pingAck:
                pingOutstandingSince = nil
            case .goawayReceived:
                break
            }
        }
    }

    private func receiveHeaders(streamID: Int32, fields: [HeaderField], endStream: Bool) {
        if let stream = streams[streamID] {
            // Trailers from a client carry nothing for gRPC; their END_STREAM still counts.
            if endStream {
                stream.remoteEnded = true
                apply(stream.machine.receiveEnd(), to: stream)
            }
            return
        }
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: configuration.maxReceiveMessageBytes)
        switch machine.receiveHeaders(fields, endStream: endStream) {
        case .ignore:
            return
        case .reject(let response):
            try? session?.submitResponse(streamID: streamID, fields: response, endStream: true)
        case .start(let path, let metadata, let timeout):
            startStream(streamID: streamID, machine: machine, path: path, metadata: metadata, timeout: timeout, endStream: endStream)
        }
    }

    private func startStream(
        streamID: Int32, machine: ServerStreamStateMachine, path: String, metadata: Metadata, timeout: Duration?,
        endStream: Bool
    ) {
        guard let context else { return }
        let credit = WriteCredit(limit: configuration.maxQueuedSendBytes)
        let link = HandlerLink(streamID: streamID, connection: self, loop: context.eventLoop, credit: credit)
        let inbound = RPCMessageQueue<RPCRequestPart>(
            highWatermark: configuration.maxBufferedReceiveBytes,
            lowWatermark: configuration.maxBufferedReceiveBytes / 2,
            sizeOf: { part in if case .message(let bytes) = part { return bytes.readableBytes } else { return 0 } },
            onDemand: { link.grantDeferredWindow() }
        )
        let stream = Stream(id: streamID, machine: machine, inbound: inbound, credit: credit)
        stream.remoteEnded = endStream
        streams[streamID] = stream
        idleTimer?.cancel()
        idleTimer = nil
        inbound.yield(.metadata(metadata))
        if endStream { inbound.finish() }

        stream.pendingStart = RPCServerStream(
            path: path,
            deadline: timeout.map { ContinuousClock.now + $0 },
            peer: peer,
            inbound: inbound.sequence,
            outbound: ClosableRPCWriter(
                write: { part in
                    if case .message(let bytes) = part { try await link.credit.reserve(bytes.readableBytes + 5) }
                    link.send(part)
                },
                tryWrite: { part in
                    if case .message(let bytes) = part, !(try link.credit.tryReserve(bytes.readableBytes + 5)) {
                        return false
                    }
                    link.send(part)
                    return true
                },
                finish: { error in link.finish(error) }
            )
        )
        pendingStarts.append(stream)
    }

    /// Starts the handlers of the streams accepted by the events just processed. On the event loop each starts
    /// at once, in this call, and runs until it first waits: a unary call whose request came in the same read
    /// (headers, message and end, as the events were processed first) is answered without leaving the loop's
    /// current job, and its response goes out with the others at the read's flush.
    private func startPendingHandlers() {
        guard !pendingStarts.isEmpty else { return }
        // Taken out, then given back emptied, so the array's storage serves every read.
        var starts: [Stream] = []
        swap(&starts, &pendingStarts)
        defer {
            starts.removeAll(keepingCapacity: true)
            if pendingStarts.isEmpty { pendingStarts = starts }
        }
        let handler = streamHandler
        for stream in starts {
            guard let rpcStream = stream.pendingStart.take() else { continue }
            let task: Task<Void, Never>
            if let executor {
                task = Task.immediate(executorPreference: executor) { await handler(rpcStream) }
            } else {
                task = Task { await handler(rpcStream) }
            }
            stream.task = task
            if stream.aborted { task.cancel() }
        }
    }

    private func receiveData(streamID: Int32, chunk: ByteBuffer) {
        guard let session else { return }
        guard let stream = streams[streamID] else {
            // Data for a stream we refused or finished: return the window and drop it.
            session.consume(streamID: streamID, count: chunk.readableBytes)
            return
        }
        if stream.inbound.isAcceptingMore {
            session.consume(streamID: streamID, count: chunk.readableBytes)
        } else {
            stream.deferredConsume += chunk.readableBytes
        }
        let action = stream.machine.receiveData(chunk, endStream: false) { message in
            stream.inbound.yield(.message(message))
        }
        apply(action, to: stream)
    }

    private func apply(_ action: ServerStreamStateMachine.InboundAction, to stream: Stream) {
        switch action {
        case .none:
            break
        case .finish:
            stream.inbound.finish()
        case .fail(let status):
            fail(stream, status)
        }
    }

    /// Ends a broken request from our side: the status goes out, the handler is cancelled, and
    /// the client is told to stop sending.
    private func fail(_ stream: Stream, _ status: Status) {
        let error = RPCError(code: status.code, message: status.message)
        let action = stream.machine.send(.status(status, [:]))
        perform(action, on: stream)
        abort(stream, error)
        if case .sendTrailersOnly = action, !stream.remoteEnded {
            // The status must leave before the RST_STREAM(NO_ERROR) that stops the upload.
            flushSession()
            session?.resetStream(streamID: stream.id, errorCode: 0)
        }
        scheduleFlush()
    }

    private func abort(_ stream: Stream, _ error: RPCError) {
        stream.aborted = true
        stream.inbound.finish(throwing: error)
        stream.credit.close(error)
        stream.task?.cancel()
    }

    private func closeStream(streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(for: streamID) else { return }
        session?.consume(streamID: streamID, count: stream.deferredConsume)
        if !stream.machine.isClosed || errorCode != 0 {
            abort(stream, RPCError(code: .cancelled, message: "The client cancelled the RPC (HTTP/2 error \(errorCode))."))
        } else {
            stream.credit.close(RPCError(code: .cancelled, message: "The RPC is over."))
        }
        if streams.isEmpty { resetIdleTimer() }
    }

    /// The handler drained its inbound buffer: return the window held back from the client.
    private func grantDeferredWindow(streamID: Int32) {
        guard let stream = streams[streamID], stream.deferredConsume > 0 else { return }
        session?.consume(streamID: streamID, count: stream.deferredConsume)
        stream.deferredConsume = 0
        scheduleFlush()
    }

    // MARK: Outbound from handlers

    private func send(_ part: RPCResponsePart, streamID: Int32) {
        guard let stream = streams[streamID] else { return }
        perform(stream.machine.send(part), on: stream)
        scheduleFlush()
    }

    private func perform(_ action: ServerStreamStateMachine.OutboundAction, on stream: Stream) {
        guard let session, let context else { return }
        do {
            switch action {
            case .drop:
                break
            case .sendHeaders(let fields):
                try session.submitResponse(streamID: stream.id, fields: fields, endStream: false)
            case .sendMessage(let bytes, let headersFirst):
                if let headersFirst { try session.submitResponse(streamID: stream.id, fields: headersFirst, endStream: false) }
                GRPCMessageFramer.frame(bytes, allocator: context.channel.allocator) {
                    session.enqueue(streamID: stream.id, $0)
                }
            case .sendTrailers(let fields):
                session.endBody(streamID: stream.id, trailers: fields)
            case .sendTrailersOnly(let fields):
                try session.submitResponse(streamID: stream.id, fields: fields, endStream: true)
            }
        } catch {
            session.resetStream(streamID: stream.id, errorCode: 2)  // INTERNAL_ERROR
        }
    }

    private func finishOutbound(streamID: Int32, error: (any Error)?) {
        guard let stream = streams[streamID], !stream.machine.isClosed else { return }
        if error != nil {
            session?.resetStream(streamID: streamID, errorCode: 2)
        } else {
            perform(stream.machine.send(.status(Status(code: .unknown, message: "The handler ended without a status."), [:])), on: stream)
        }
        scheduleFlush()
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

    /// Serializes everything pending into one batch of writes and one flush.
    private func flushSession() {
        guard let session, let context else { return }
        do {
            let (buffers, events) = try session.send()
            for buffer in buffers { context.write(wrapOutboundOut(buffer), promise: nil) }
            if !buffers.isEmpty { context.flush() }
            if !events.isEmpty { process(events) }
        } catch {
            closeConnection()
            return
        }
        if !session.isActive { closeConnection() }
    }

    private func closeConnection() {
        guard !closing, let context else { return }
        closing = true
        context.close(promise: nil)
    }

    // MARK: Timers and shutdown

    private func resetIdleTimer() {
        guard let context, !closing else { return }
        idleTimer?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(in: TimeAmount(configuration.idleTimeout)) {
            bound.value.idleTimeoutFired()
        }
    }

    private func idleTimeoutFired() {
        guard streams.isEmpty else { return }
        session?.submitGoaway(errorCode: 0)
        flushSession()
        closeConnection()
    }

    private func keepaliveTick() {
        guard let session, !closing else { return }
        if let since = pingOutstandingSince {
            if NIODeadline.now() - since > TimeAmount(configuration.keepaliveTimeout) {
                session.submitGoaway(errorCode: 0)
                flushSession()
                closeConnection()
            }
            return
        }
        pingOutstandingSince = .now()
        session.submitPing()
        flushSession()
    }

    /// Graceful drain: GOAWAY now, finish open streams, close when none remain (or at the timeout).
    func beginGracefulShutdown() {
        guard let session, let context, !draining, !closing else { return }
        draining = true
        session.submitShutdownNotice()
        flushSession()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        // One round trip later, the final GOAWAY names the last stream we will serve.
        context.eventLoop.scheduleTask(in: .milliseconds(100)) {
            bound.value.session?.submitGoaway(errorCode: 0)
            bound.value.flushSession()
            if bound.value.streams.isEmpty { bound.value.closeConnection() }
        }
        context.eventLoop.scheduleTask(in: TimeAmount(configuration.drainTimeout)) {
            bound.value.closeConnection()
        }
    }
}
