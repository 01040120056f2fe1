import MeshRPC
import NIOCore
import Testing

@testable import MeshRPCHTTP2

@Suite struct ServerStreamStateMachineTests {
    static func request(_ extra: [HeaderField] = [], contentType: String = "application/grpc", method: String = "POST")
        -> [HeaderField]
    {
        [
            HeaderField(":method", method), HeaderField(":scheme", "http"), HeaderField(":path", "/pkg.S/M"),
            HeaderField(":authority", "x"), HeaderField("content-type", contentType), HeaderField("te", "trailers"),
        ] + extra
    }

    func framed(_ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0])
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }

    @Test func acceptsARequestWithTimeoutAndMetadata() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        let action = machine.receiveHeaders(
            Self.request([HeaderField("grpc-timeout", "250m"), HeaderField("x-a", "b")]), endStream: false)
        #expect(action == .start(path: "/pkg.S/M", metadata: ["x-a": "b"], timeout: .milliseconds(250)))
    }

    @Test(arguments: [
        (ServerStreamStateMachineTests.request(contentType: "text/plain"), "415", "13"),
        (ServerStreamStateMachineTests.request(method: "GET"), "405", "13"),
        (ServerStreamStateMachineTests.request([HeaderField("grpc-encoding", "gzip")]), "200", "12"),
        (ServerStreamStateMachineTests.request([HeaderField("grpc-timeout", "soon")]), "200", "13"),
    ])
    func rejectsBadRequestsWithoutStartingAHandler(fields: [HeaderField], httpStatus: String, grpcStatus: String) {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        guard case .reject(let response) = machine.receiveHeaders(fields, endStream: true) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(response.first(":status") == httpStatus)
        #expect(response.first("grpc-status") == grpcStatus)
        #expect(machine.isClosed)
    }

    @Test func messagesThenCleanEnd() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders(Self.request(), endStream: false)
        var messages: [ByteBuffer] = []
        var both = framed([1, 2])
        var second = framed([3])
        both.writeBuffer(&second)
        #expect(machine.receiveData(both, endStream: false) { messages.append($0) } == .none)
        #expect(messages == [ByteBuffer(bytes: [1, 2]), ByteBuffer(bytes: [3])])
        #expect(machine.receiveEnd() == .finish)
    }

    @Test func truncatedMessageAtEndStreamFails() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders(Self.request(), endStream: false)
        let partial = framed([1, 2, 3, 4]).getSlice(at: 0, length: 7)!
        #expect(machine.receiveData(partial, endStream: false) { _ in } == .none)
        guard case .fail(let status) = machine.receiveEnd() else {
            Issue.record("expected a failure")
            return
        }
        #expect(status.code == .internalError)
    }

    @Test func oversizedMessageFailsWithResourceExhausted() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 3)
        _ = machine.receiveHeaders(Self.request(), endStream: false)
        guard case .fail(let status) = machine.receiveData(framed([1, 2, 3, 4]), endStream: false, onMessage: { _ in })
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(status.code == .resourceExhausted)
        // Whatever else arrives is ignored.
        #expect(machine.receiveData(framed([1]), endStream: true) { _ in Issue.record("delivered after failure") } == .none)
    }

    @Test func statusBeforeHeadersIsTrailersOnlyAndLaterWritesAreDropped() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders(Self.request(), endStream: true)
        guard case .sendTrailersOnly(let fields) = machine.send(.status(Status(code: .notFound, message: "gone 100%"), [:]))
        else {
            Issue.record("expected Trailers-Only")
            return
        }
        #expect(fields.first(":status") == "200")
        #expect(fields.first("grpc-status") == "5")
        #expect(fields.first("grpc-message") == "gone 100%25")
        #expect(machine.send(.message(ByteBuffer(bytes: [1]))) == .drop)
    }

    @Test func headersMessagesTrailers() {
        var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders(Self.request(), endStream: true)
        guard case .sendHeaders(let head) = machine.send(.metadata(["x-b-bin": .binary([1, 2])])) else {
            Issue.record("expected headers")
            return
        }
        #expect(head.first("x-b-bin") == "AQI")
        #expect(machine.send(.message(ByteBuffer(bytes: [9]))) == .sendMessage(ByteBuffer(bytes: [9]), headersFirst: nil))
        guard case .sendTrailers(let trailers) = machine.send(.status(.ok, ["t": "1"])) else {
            Issue.record("expected trailers")
            return
        }
        #expect(trailers.first("grpc-status") == "0")
        #expect(trailers.first("t") == "1")
    }
}
