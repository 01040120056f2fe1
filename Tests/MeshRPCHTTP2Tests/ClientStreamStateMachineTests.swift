import MeshRPC
import NIOCore
import Testing

@testable import MeshRPCHTTP2

@Suite struct ClientStreamStateMachineTests {
    @Test func trailersOnlyResponse() {
        var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
        let action = machine.receiveHeaders(
            [HeaderField(":status", "200"), HeaderField("grpc-status", "12"), HeaderField("grpc-message", "nope%21")],
            endStream: true)
        #expect(action == .status(Status(code: .unimplemented, message: "nope!"), [:]))
        #expect(machine.isFinished)
    }

    @Test func httpErrorsMapToGRPCCodes() {
        for (http, code) in [("404", RPCError.Code.unimplemented), ("503", .unavailable), ("401", .unauthenticated)] {
            var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
            guard case .status(let status, _) = machine.receiveHeaders([HeaderField(":status", http)], endStream: true)
            else {
                Issue.record("expected a status")
                continue
            }
            #expect(status.code == code)
        }
    }

    @Test func resetWithoutStatusMapsTheErrorCode() {
        var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders([HeaderField(":status", "200"), HeaderField("content-type", "application/grpc")], endStream: false)
        guard case .status(let status, _) = machine.streamClosed(errorCode: 0x8) else {
            Issue.record("expected a status")
            return
        }
        #expect(status.code == .cancelled)
        #expect(machine.streamClosed(errorCode: 0) == .none)
    }

    @Test func refusedBeforeHeadersMayBeRetried() {
        var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
        guard case .refused = machine.streamClosed(errorCode: 0x7) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(machine.isFinished)
    }

    @Test func refusedAfterHeadersIsAnOrdinaryFailure() {
        var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders([HeaderField(":status", "200"), HeaderField("content-type", "application/grpc")], endStream: false)
        guard case .status(let status, _) = machine.streamClosed(errorCode: 0x7) else {
            Issue.record("expected a status")
            return
        }
        #expect(status.code == .unavailable)
    }

    @Test func endOfDataWithoutTrailersIsAnError() {
        var machine = ClientStreamStateMachine(maxReceiveMessageBytes: 100)
        _ = machine.receiveHeaders([HeaderField(":status", "200"), HeaderField("content-type", "application/grpc")], endStream: false)
        guard case .status(let status, _) = machine.receiveEndOnData() else {
            Issue.record("expected a status")
            return
        }
        #expect(status.code == .internalError)
    }
}
