import FlowMessages
import FlowServices
import MeshRPC
import Testing

/// The generated typed API end to end: `RecordingTestService` (a `Grpc_Testing_TestServiceProvider`) registered
/// through its generated `register(in:)`, served over HTTP/2 on loopback, and called through the generated
/// `Grpc_Testing_TestServiceClient` in every call shape, with metadata, deadlines and failures.
@Suite struct TypedServiceTests {
    @Test func registerRoutesEveryMethodOfTheService() {
        var router = RPCRouter()
        RecordingTestService().register(in: &router)
        let expected = Grpc_Testing_TestService.descriptor.methods.map(\.path)
        #expect(expected.count == 8)
        #expect(Set(router.methods.map(\.path)) == Set(expected))
    }

    @Test func unaryCarriesTheMessageAndMetadataBothWays() async throws {
        try await withLoopbackTestService { testService, _ in
            var request = Grpc_Testing_SimpleRequest()
            request.payload.body = [1, 2, 3]
            let metadata: Metadata = [RecordingTestService.echoKey: "hello", RecordingTestService.echoTrailerKey: "bye"]
            let response = try await testService.unaryCall(ClientRequest(metadata: metadata, message: request))
            #expect(response.message.payload.body == [3, 2, 1])
            #expect(response.metadata.first(RecordingTestService.echoKey) == "hello")
            #expect(response.trailers.first(RecordingTestService.echoTrailerKey) == "bye")

            let empty = try await testService.emptyCall(ClientRequest(message: Grpc_Testing_Empty()))
            #expect(empty.message == Grpc_Testing_Empty())
        }
    }

    @Test func serverStreamingDeliversEveryResponseInOrder() async throws {
        let sizes = try await withLoopbackTestService { testService, _ in
            let request = Self.streamingRequest(sizes: [5, 0, 70_000, 1])
            return try await testService.streamingOutputCall(ClientRequest(message: request)) { response in
                var sizes: [Int] = []
                for try await message in response.messages { sizes.append(message.payload.body.count) }
                return sizes
            }
        }
        #expect(sizes == [5, 0, 70_000, 1])
    }

    @Test func clientStreamingAggregatesTheWholeRequestStream() async throws {
        let response = try await withLoopbackTestService { testService, _ in
            try await testService.streamingInputCall(
                StreamingClientRequest { writer in
                    for size in [27_182, 8, 1_828, 45_904] {
                        var request = Grpc_Testing_StreamingInputCallRequest()
                        request.payload.body = [UInt8](repeating: 1, count: size)
                        try await writer.write(request)
                    }
                })
        }
        #expect(response.message.aggregatedPayloadSize == 74_922)
    }

    /// Each request is written only after the previous reply arrived: the call is really full duplex.
    @Test func bidirectionalStreamingAnswersEachRequestBeforeTheNext() async throws {
        let steps = [3, 1_000, 0, 65_536]
        let sizes = try await withLoopbackTestService { testService, _ in
            let (replies, repliesContinuation) = AsyncStream.makeStream(of: Void.self)
            return try await testService.fullDuplexCall(
                StreamingClientRequest { writer in
                    var iterator = replies.makeAsyncIterator()
                    for size in steps {
                        try await writer.write(Self.streamingRequest(sizes: [size]))
                        guard await iterator.next() != nil else { return }
                    }
                }
            ) { response in
                defer { repliesContinuation.finish() }
                var sizes: [Int] = []
                for try await message in response.messages {
                    sizes.append(message.payload.body.count)
                    repliesContinuation.yield()
                }
                return sizes
            }
        }
        #expect(sizes == steps)

        let buffered = try await withLoopbackTestService { testService, _ in
            try await testService.halfDuplexCall(
                StreamingClientRequest { writer in
                    for size in [2, 4] { try await writer.write(Self.streamingRequest(sizes: [size, size])) }
                }
            ) { response in
                var sizes: [Int] = []
                for try await message in response.messages { sizes.append(message.payload.body.count) }
                return sizes
            }
        }
        #expect(buffered == [2, 2, 4, 4])
    }

    @Test func theCallOptionsTimeoutReachesTheHandlerAsItsDeadline() async throws {
        let (withTimeout, withoutTimeout) = try await withLoopbackTestService { testService, _ in
            let request = ClientRequest(message: Grpc_Testing_SimpleRequest())
            let timed = try await testService.cacheableUnaryCall(request, options: CallOptions(timeout: .seconds(60)))
            let untimed = try await testService.cacheableUnaryCall(request)
            return (timed.message.payload.body, untimed.message.payload.body)
        }
        #expect(withTimeout == Array("deadline".utf8))
        #expect(withoutTimeout == Array("none".utf8))
    }

    @Test func aThrownRPCErrorReachesTheClientWithCodeMessageAndTrailers() async throws {
        var status = Grpc_Testing_EchoStatus()
        status.code = Int32(RPCError.Code.failedPrecondition.rawValue)
        status.message = "not now ☺\n"
        let metadata: Metadata = [RecordingTestService.echoTrailerKey: "why"]
        try await withLoopbackTestService { testService, _ in
            var unary = Grpc_Testing_SimpleRequest()
            unary.responseStatus = status
            let unaryError = await #expect(throws: RPCError.self) {
                _ = try await testService.unaryCall(ClientRequest(metadata: metadata, message: unary))
            }
            #expect(unaryError?.code == .failedPrecondition)
            #expect(unaryError?.message == "not now ☺\n")
            #expect(unaryError?.metadata.first(RecordingTestService.echoTrailerKey) == "why")

            // Mid-stream: the responses before the failure arrive, then the status.
            var streaming = Self.streamingRequest(sizes: [1, 2])
            streaming.responseStatus = status
            let (received, streamError) = try await testService.streamingOutputCall(ClientRequest(message: streaming)) {
                response in
                var received = 0
                do {
                    for try await _ in response.messages { received += 1 }
                    return (received, nil as RPCError?)
                } catch let error as RPCError {
                    return (received, error)
                }
            }
            #expect(received == 2)
            #expect(streamError?.code == .failedPrecondition)
            #expect(streamError?.message == "not now ☺\n")

            // The service keeps serving after failed calls.
            let after = try await testService.emptyCall(ClientRequest(message: Grpc_Testing_Empty()))
            #expect(after.message == Grpc_Testing_Empty())
        }
    }

    @Test func unimplementedMethodsAndServicesAnswerUnimplemented() async throws {
        try await withLoopbackTestService { testService, client in
            let method = await #expect(throws: RPCError.self) {
                _ = try await testService.unimplementedCall(ClientRequest(message: Grpc_Testing_Empty()))
            }
            #expect(method?.code == .unimplemented)
            #expect(method?.message == "UnimplementedCall is not implemented.")

            // A service this server never registered: the router answers.
            let service = await #expect(throws: RPCError.self) {
                _ = try await Grpc_Testing_UnimplementedServiceClient(client)
                    .unimplementedCall(ClientRequest(message: Grpc_Testing_Empty()))
            }
            #expect(service?.code == .unimplemented)
        }
    }

    static func streamingRequest(sizes: [Int]) -> Grpc_Testing_StreamingOutputCallRequest {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseParameters = sizes.map { size in
            var parameters = Grpc_Testing_ResponseParameters()
            parameters.size = Int32(size)
            return parameters
        }
        return request
    }
}
