import FlowMessages
import FlowServices
public import MeshRPC

/// The client side of gRPC's interop cases (interop-test-descriptions.md), with their names.
public struct InteropClient: Sendable {
    public static let cases = [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "custom_metadata",
        "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
    ]

    /// A case whose assertion did not hold.
    public struct CheckFailed: Error, CustomStringConvertible {
        public let description: String
    }

    let testService: Grpc_Testing_TestServiceClient
    let unimplementedService: Grpc_Testing_UnimplementedServiceClient

    public init(client: RPCClient) {
        testService = Grpc_Testing_TestServiceClient(client)
        unimplementedService = Grpc_Testing_UnimplementedServiceClient(client)
    }

    public func run(_ name: String) async throws {
        switch name {
        case "empty_unary": try await emptyUnary()
        case "large_unary": try await largeUnary()
        case "client_streaming": try await clientStreaming()
        case "server_streaming": try await serverStreaming()
        case "ping_pong": try await pingPong()
        case "empty_stream": try await emptyStream()
        case "cancel_after_begin": try await cancelAfterBegin()
        case "cancel_after_first_response": try await cancelAfterFirstResponse()
        case "timeout_on_sleeping_server": try await timeoutOnSleepingServer()
        case "custom_metadata": try await customMetadata()
        case "status_code_and_message": try await statusCodeAndMessage()
        case "special_status_message": try await specialStatusMessage()
        case "unimplemented_method": try await unimplementedMethod()
        case "unimplemented_service": try await unimplementedService()
        default: throw CheckFailed(description: "Unknown test case '\(name)'.")
        }
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw CheckFailed(description: message()) }
    }

    private func expectError(_ code: RPCError.Code, message: String? = nil, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as RPCError {
            try expect(error.code == code, "expected \(code), got \(error)")
            if let message { try expect(error.message == message, "expected message \(message.debugDescription), got \(error.message.debugDescription)") }
            return
        }
        throw CheckFailed(description: "expected \(code), but the call succeeded")
    }

    private func simpleRequest(responseSize: Int, payloadSize: Int) -> Grpc_Testing_SimpleRequest {
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = Int32(responseSize)
        request.payload = InteropServer.payload(size: payloadSize)
        return request
    }

    private func streamingRequest(responseSize: Int, payloadSize: Int?) -> Grpc_Testing_StreamingOutputCallRequest {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        var parameters = Grpc_Testing_ResponseParameters()
        parameters.size = Int32(responseSize)
        request.responseParameters = [parameters]
        if let payloadSize { request.payload = InteropServer.payload(size: payloadSize) }
        return request
    }

    func emptyUnary() async throws {
        let response = try await testService.emptyCall(ClientRequest(message: Grpc_Testing_Empty()))
        try expect(response.message == Grpc_Testing_Empty(), "non-empty response")
    }

    func largeUnary() async throws {
        let response = try await testService.unaryCall(
            ClientRequest(message: simpleRequest(responseSize: 314_159, payloadSize: 271_828)))
        try expect(response.message.payload.body == [UInt8](repeating: 0, count: 314_159), "wrong payload")
    }

    func clientStreaming() async throws {
        let sizes = [27_182, 8, 1_828, 45_904]
        let response = try await testService.streamingInputCall(
            StreamingClientRequest { writer in
                for size in sizes {
                    var request = Grpc_Testing_StreamingInputCallRequest()
                    request.payload = InteropServer.payload(size: size)
                    try await writer.write(request)
                }
            })
        try expect(response.message.aggregatedPayloadSize == 74_922, "aggregated \(response.message.aggregatedPayloadSize)")
    }

    func serverStreaming() async throws {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = [31_415, 9, 2_653, 58_979].map { size in
            var parameters = Grpc_Testing_ResponseParameters()
            parameters.size = Int32(size)
            return parameters
        }
        let sizes = try await testService.streamingOutputCall(ClientRequest(message: request)) { response in
            var sizes: [Int] = []
            for try await message in response.messages { sizes.append(message.payload.body.count) }
            return sizes
        }
        try expect(sizes == [31_415, 9, 2_653, 58_979], "sizes \(sizes)")
    }

    func pingPong() async throws {
        let steps = [(31_415, 27_182), (9, 8), (2_653, 1_828), (58_979, 45_904)]
        let (replies, repliesContinuation) = AsyncStream.makeStream(of: Void.self)
        let sizes = try await testService.fullDuplexCall(
            StreamingClientRequest { writer in
                var iterator = replies.makeAsyncIterator()
                for (responseSize, payloadSize) in steps {
                    try await writer.write(streamingRequest(responseSize: responseSize, payloadSize: payloadSize))
                    guard await iterator.next() != nil else { return }  // wait for the reply first
                }
            }
        ) { response in
            var sizes: [Int] = []
            for try await message in response.messages {
                sizes.append(message.payload.body.count)
                repliesContinuation.yield()
            }
            repliesContinuation.finish()
            return sizes
        }
        try expect(sizes == steps.map(\.0), "sizes \(sizes)")
    }

    func emptyStream() async throws {
        let count = try await testService.fullDuplexCall(StreamingClientRequest { _ in }) { response in
            var count = 0
            for try await _ in response.messages { count += 1 }
            return count
        }
        try expect(count == 0, "\(count) responses")
    }

    func cancelAfterBegin() async throws {
        let call = Task {
            try await testService.streamingInputCall(
                StreamingClientRequest { _ in try await Task.sleep(for: .seconds(30)) })
        }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        try await expectError(.cancelled) { _ = try await call.value }
    }

    func cancelAfterFirstResponse() async throws {
        let (first, firstContinuation) = AsyncStream.makeStream(of: Void.self)
        let call = Task {
            try await testService.fullDuplexCall(
                StreamingClientRequest { writer in
                    try await writer.write(streamingRequest(responseSize: 31_415, payloadSize: 27_182))
                    try await Task.sleep(for: .seconds(30))
                }
            ) { response in
                for try await _ in response.messages { firstContinuation.yield() }
            }
        }
        var iterator = first.makeAsyncIterator()
        _ = await iterator.next()
        call.cancel()
        try await expectError(.cancelled) { _ = try await call.value }
    }

    func timeoutOnSleepingServer() async throws {
        try await expectError(.deadlineExceeded) {
            try await testService.fullDuplexCall(
                StreamingClientRequest { writer in
                    var request = Grpc_Testing_StreamingOutputCallRequest()
                    request.payload = InteropServer.payload(size: 27_182)
                    try await writer.write(request)
                    try await Task.sleep(for: .seconds(30))
                },
                options: CallOptions(timeout: .milliseconds(1))
            ) { response in
                for try await _ in response.messages {}
            }
        }
    }

    func customMetadata() async throws {
        var metadata = Metadata()
        metadata.add(InteropServer.echoInitialKey, "test_initial_metadata_value")
        metadata.add(InteropServer.echoTrailingKey, bytes: [0xAB, 0xAB, 0xAB])
        let unary = try await testService.unaryCall(
            ClientRequest(metadata: metadata, message: simpleRequest(responseSize: 314_159, payloadSize: 271_828)))
        try checkEchoed(initial: unary.metadata, trailing: unary.trailers)

        let (initial, trailing) = try await testService.fullDuplexCall(
            StreamingClientRequest(metadata: metadata) { writer in
                try await writer.write(streamingRequest(responseSize: 314_159, payloadSize: 271_828))
            }
        ) { response in
            var trailers = Metadata()
            for try await part in try response.accepted.get().bodyParts {
                if case .trailers(let metadata) = part { trailers = metadata }
            }
            return (response.metadata, trailers)
        }
        try checkEchoed(initial: initial, trailing: trailing)
    }

    private func checkEchoed(initial: Metadata, trailing: Metadata) throws {
        try expect(initial.first(InteropServer.echoInitialKey) == "test_initial_metadata_value", "initial \(initial)")
        try expect(trailing[binaryValues: InteropServer.echoTrailingKey] == [[0xAB, 0xAB, 0xAB]], "trailing \(trailing)")
    }

    private func failingStatus(_ message: String) -> Grpc_Testing_EchoStatus {
        var status = Grpc_Testing_EchoStatus()
        status.code = 2
        status.message = message
        return status
    }

    func statusCodeAndMessage() async throws {
        let message = "test status message"
        var unary = Grpc_Testing_SimpleRequest()
        unary.responseStatus = failingStatus(message)
        try await expectError(.unknown, message: message) {
            _ = try await testService.unaryCall(ClientRequest(message: unary))
        }
        var failing = Grpc_Testing_StreamingOutputCallRequest()
        failing.responseStatus = failingStatus(message)
        let streaming = failing
        try await expectError(.unknown, message: message) {
            try await testService.fullDuplexCall(StreamingClientRequest { try await $0.write(streaming) }) { response in
                for try await _ in response.messages {}
            }
        }
    }

    func specialStatusMessage() async throws {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        var request = Grpc_Testing_SimpleRequest()
        request.responseStatus = failingStatus(message)
        try await expectError(.unknown, message: message) {
            _ = try await testService.unaryCall(ClientRequest(message: request))
        }
    }

    func unimplementedMethod() async throws {
        try await expectError(.unimplemented) {
            _ = try await testService.unimplementedCall(ClientRequest(message: Grpc_Testing_Empty()))
        }
    }

    func unimplementedService() async throws {
        try await expectError(.unimplemented) {
            _ = try await unimplementedService.unimplementedCall(ClientRequest(message: Grpc_Testing_Empty()))
        }
    }
}
