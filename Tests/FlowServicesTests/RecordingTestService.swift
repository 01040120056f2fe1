import FlowMessages
import FlowServices
import MeshRPC

/// A typed `grpc.testing.TestService` for the end-to-end suite: each method answers from its request alone, so a
/// test can say what comes back. A request metadata `x-echo` returns as initial metadata and `x-echo-trailer` in
/// the trailers; a `response_status` with a non-zero code fails the call with that code, message and trailers.
struct RecordingTestService: Grpc_Testing_TestServiceProvider {
    static let echoKey = "x-echo"
    static let echoTrailerKey = "x-echo-trailer"

    func emptyCall(
        request: ServerRequest<Grpc_Testing_Empty>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_Empty> {
        ServerResponse(message: Grpc_Testing_Empty())
    }

    /// Answers with the request's payload reversed, or fails as its `response_status` says.
    func unaryCall(
        request: ServerRequest<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_SimpleResponse> {
        let (initial, trailers) = Self.echoed(request.metadata)
        try Self.failIfAsked(request.message.responseStatus, trailers: trailers)
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = request.message.payload.body.reversed()
        return ServerResponse(metadata: initial, message: response, trailers: trailers)
    }

    /// Reports the deadline the server saw: the body is `deadline` when the client set a timeout, else `none`.
    func cacheableUnaryCall(
        request: ServerRequest<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_SimpleResponse> {
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = Array((context.deadline == nil ? "none" : "deadline").utf8)
        return ServerResponse(message: response)
    }

    /// One response per `response_parameters` entry, of that size; then the `response_status`, if any.
    func streamingOutputCall(
        request: ServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let (initial, trailers) = Self.echoed(request.metadata)
        return StreamingServerResponse(metadata: initial) { writer in
            try await Self.answer(request.message, writer: writer, trailers: trailers)
            return trailers
        }
    }

    /// The total payload bytes of every request.
    func streamingInputCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingInputCallRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_StreamingInputCallResponse> {
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = try await request.messages.reduce(0) { $0 + Int32($1.payload.body.count) }
        return ServerResponse(message: response)
    }

    /// Answers each request as it arrives (before reading the next), failing at the first `response_status`.
    func fullDuplexCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let (initial, trailers) = Self.echoed(request.metadata)
        return StreamingServerResponse(metadata: initial) { writer in
            for try await message in request.messages {
                try await Self.answer(message, writer: writer, trailers: trailers)
            }
            return trailers
        }
    }

    /// Reads every request first, then answers them in order.
    func halfDuplexCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        var buffered: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await message in request.messages { buffered.append(message) }
        let all = buffered
        return StreamingServerResponse { writer in
            for message in all { try await Self.respond(to: message, writer: writer) }
            return [:]
        }
    }

    func unimplementedCall(
        request: ServerRequest<Grpc_Testing_Empty>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_Empty> {
        throw RPCError(code: .unimplemented, message: "UnimplementedCall is not implemented.")
    }

    /// Writes the responses `request` asks for, then fails if it asks for a failing status.
    private static func answer(
        _ request: Grpc_Testing_StreamingOutputCallRequest, writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        trailers: Metadata
    ) async throws {
        try await respond(to: request, writer: writer)
        try failIfAsked(request.responseStatus, trailers: trailers)
    }

    private static func respond(
        to request: Grpc_Testing_StreamingOutputCallRequest, writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>
    ) async throws {
        for parameters in request.responseParameters {
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload.body = [UInt8](repeating: 7, count: Int(parameters.size))
            try await writer.write(response)
        }
    }

    private static func failIfAsked(_ status: Grpc_Testing_EchoStatus, trailers: Metadata) throws {
        guard status.code != 0 else { return }
        throw RPCError(code: RPCError.Code(rawValue: Int(status.code)), message: status.message, metadata: trailers)
    }

    private static func echoed(_ metadata: Metadata) -> (initial: Metadata, trailers: Metadata) {
        var initial = Metadata()
        var trailers = Metadata()
        for value in metadata[stringValues: echoKey] { initial.add(echoKey, value) }
        for value in metadata[stringValues: echoTrailerKey] { trailers.add(echoTrailerKey, value) }
        return (initial, trailers)
    }
}
