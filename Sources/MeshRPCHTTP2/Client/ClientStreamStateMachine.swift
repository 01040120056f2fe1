import MeshRPC
import NIOCore

/// The gRPC rules for one client stream's response side, as a value type returning actions.
struct ClientStreamStateMachine {
    private enum State {
        case awaitingHeaders
        case receivingMessages
        case finished
    }

    private var state = State.awaitingHeaders
    private var deframer: GRPCMessageDeframer

    init(maxReceiveMessageBytes: Int) {
        deframer = GRPCMessageDeframer(maxMessageBytes: maxReceiveMessageBytes)
    }

    enum InboundAction: Equatable {
        case none
        case metadata(Metadata)
        /// The call is over with this status (trailers, Trailers-Only, or a protocol failure).
        case status(Status, Metadata)
        /// The server refused the stream before sending anything: it provably did not process the call, which
        /// may therefore be retried transparently.
        case refused(reason: String)
    }

    mutating func receiveHeaders(_ fields: [HeaderField], endStream: Bool) -> InboundAction {
        switch state {
        case .finished:
            return .none
        case .receivingMessages:
            state = .finished
            if deframer.hasPartialMessage {
                return .status(Status(code: .internalError, message: "The response ended in the middle of a message."), [:])
            }
            guard let status = GRPCHeaders.status(from: fields) else {
                return .status(Status(code: .internalError, message: "Trailers without grpc-status."), [:])
            }
            return .status(status, GRPCHeaders.metadata(from: fields))
        case .awaitingHeaders:
            let httpStatus = fields.first(":status").flatMap { Int($0) } ?? 0
            if httpStatus != 200 {
                state = .finished
                if let status = GRPCHeaders.status(from: fields) { return .status(status, GRPCHeaders.metadata(from: fields)) }
                let code = GRPCHeaders.code(forHTTPStatus: httpStatus)
                return .status(Status(code: code, message: "HTTP status \(httpStatus)."), [:])
            }
            if endStream {
                state = .finished
                guard let status = GRPCHeaders.status(from: fields) else {
                    return .status(Status(code: .internalError, message: "Response ended without grpc-status."), [:])
                }
                return .status(status, GRPCHeaders.metadata(from: fields))
            }
            guard let contentType = fields.first("content-type"), contentType.hasPrefix(GRPCHeaders.contentType) else {
                state = .finished
                return .status(Status(code: .internalError, message: "Response Content-Type is not application/grpc."), [:])
            }
            state = .receivingMessages
            return .metadata(GRPCHeaders.metadata(from: fields))
        }
    }

    mutating func receiveData(_ chunk: ByteBuffer, onMessage: (ByteBuffer) -> Void) -> InboundAction {
        guard case .receivingMessages = state else { return .none }
        do {
            try deframer.process(chunk, onMessage: onMessage)
            return .none
        } catch {
            state = .finished
            return .status(Status(code: error.code, message: error.message), [:])
        }
    }

    /// END_STREAM on DATA: the server must send trailers, so this is a protocol violation.
    mutating func receiveEndOnData() -> InboundAction {
        guard state != .finished else { return .none }
        state = .finished
        return .status(Status(code: .internalError, message: "The response ended without trailers."), [:])
    }

    /// The stream closed; if no status arrived, the reset code decides the outcome. REFUSED_STREAM before any
    /// response headers is also what nghttp2 reports for streams above a GOAWAY's last-stream-id and for requests
    /// it could not start because the connection was going away.
    mutating func streamClosed(errorCode: UInt32) -> InboundAction {
        guard state != .finished else { return .none }
        let refusedBeforeHeaders = state == .awaitingHeaders && errorCode == Self.refusedStream
        state = .finished
        if refusedBeforeHeaders {
            return .refused(reason: "The server refused the stream (REFUSED_STREAM).")
        }
        let code = GRPCHeaders.code(forResetCode: errorCode)
        return .status(Status(code: code, message: "Stream reset by the server (HTTP/2 error \(errorCode))."), [:])
    }

    var isFinished: Bool { state == .finished }

    private static let refusedStream: UInt32 = 0x7
}
