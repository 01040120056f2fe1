import MeshRPC
import NIOCore

/// The gRPC rules for one server stream, as a value type that returns what to do; the connection
/// handler carries the actions out. Tested without sockets.
struct ServerStreamStateMachine {
    private enum State {
        case awaitingHeaders
        /// Request accepted; the handler runs.
        case open(responseHeadersSent: Bool)
        /// Our side is done (status sent); anything the handler still writes is dropped.
        case closed
    }

    private var state = State.awaitingHeaders
    private var deframer: GRPCMessageDeframer
    private(set) var inboundClosed = false

    init(maxReceiveMessageBytes: Int) {
        deframer = GRPCMessageDeframer(maxMessageBytes: maxReceiveMessageBytes)
    }

    enum HeadersAction: Equatable {
        /// Start the handler.
        case start(path: String, metadata: Metadata, timeout: Duration?)
        /// Answer at once with these fields (END_STREAM), without starting anything.
        case reject([HeaderField])
        /// Trailers from the client or headers out of order: ignore them.
        case ignore
    }

    mutating func receiveHeaders(_ fields: [HeaderField], endStream: Bool) -> HeadersAction {
        guard case .awaitingHeaders = state else { return .ignore }
        if endStream { inboundClosed = true }
        func reject(_ code: RPCError.Code, _ message: String, httpStatus: Int = 200) -> HeadersAction {
            state = .closed
            var fields = GRPCHeaders.trailersOnly(Status(code: code, message: message), metadata: [:], httpStatus: httpStatus)
            if code == .unimplemented { fields.append(HeaderField("grpc-accept-encoding", "identity")) }
            return .reject(fields)
        }
        guard fields.first(":method") == "POST" else {
            return reject(.internalError, "gRPC requires POST.", httpStatus: 405)
        }
        guard let contentType = fields.first("content-type"), contentType.hasPrefix(GRPCHeaders.contentType) else {
            return reject(.internalError, "Content-Type must be application/grpc.", httpStatus: 415)
        }
        guard let path = fields.first(":path") else {
            return reject(.internalError, "Missing :path.", httpStatus: 400)
        }
        if let encoding = fields.first("grpc-encoding"), encoding != "identity" {
            return reject(.unimplemented, "Compression '\(encoding)' is not supported; only identity is.")
        }
        var timeout: Duration?
        if let text = fields.first("grpc-timeout") {
            guard let parsed = GRPCTimeout.parse(text[...]) else {
                return reject(.internalError, "Malformed grpc-timeout '\(text)'.")
            }
            timeout = parsed
        }
        state = .open(responseHeadersSent: false)
        return .start(path: path, metadata: GRPCHeaders.metadata(from: fields), timeout: timeout)
    }

    enum InboundAction: Equatable {
        case none
        /// The request stream ended cleanly after the messages delivered so far.
        case finish
        /// The request is broken: end the call with this status, abort the handler.
        case fail(Status)
    }

    /// Deframes a DATA chunk, calling `onMessage` per complete message.
    mutating func receiveData(_ chunk: ByteBuffer, endStream: Bool, onMessage: (ByteBuffer) -> Void) -> InboundAction {
        guard case .open = state, !inboundClosed else { return .none }
        do {
            try deframer.process(chunk, onMessage: onMessage)
        } catch {
            inboundClosed = true
            return .fail(Status(code: error.code, message: error.message))
        }
        return endStream ? receiveEnd() : .none
    }

    /// END_STREAM from the client: a clean end, unless a message was cut short.
    mutating func receiveEnd() -> InboundAction {
        guard case .open = state, !inboundClosed else { return .none }
        inboundClosed = true
        if deframer.hasPartialMessage {
            return .fail(Status(code: .internalError, message: "The request ended in the middle of a message."))
        }
        return .finish
    }

    enum OutboundAction: Equatable {
        case drop
        case sendHeaders([HeaderField])
        /// Send a message, first the default response headers when none went out yet.
        case sendMessage(ByteBuffer, headersFirst: [HeaderField]?)
        case sendTrailers([HeaderField])
        /// Status before any headers: a single HEADERS frame with END_STREAM.
        case sendTrailersOnly([HeaderField])
    }

    mutating func send(_ part: RPCResponsePart) -> OutboundAction {
        guard case .open(let headersSent) = state else { return .drop }
        switch part {
        case .metadata(let metadata):
            guard !headersSent else { return .drop }
            state = .open(responseHeadersSent: true)
            return .sendHeaders(GRPCHeaders.responseHead(metadata: metadata))
        case .message(let bytes):
            state = .open(responseHeadersSent: true)
            return .sendMessage(bytes, headersFirst: headersSent ? nil : GRPCHeaders.responseHead(metadata: [:]))
        case .status(let status, let trailers):
            state = .closed
            if headersSent { return .sendTrailers(GRPCHeaders.trailers(status, metadata: trailers)) }
            return .sendTrailersOnly(GRPCHeaders.trailersOnly(status, metadata: trailers))
        }
    }

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }
}
