public import FlowMessages
public import FlowServices
public import MeshRPC

/// `grpc.testing.TestService` as gRPC's interop suite specifies it (interop-test-descriptions.md):
/// payloads of requested sizes, Echo Status, Echo Metadata, `interval_us` pacing. UnimplementedCall
/// answers UNIMPLEMENTED, as the `unimplemented_method` case expects. `register(in:)` comes with the
/// generated provider protocol.
public struct InteropServer: Grpc_Testing_TestServiceProvider {
    static let echoInitialKey = "x-grpc-test-echo-initial"
    static let echoTrailingKey = "x-grpc-test-echo-trailing-bin"

    public init() {}

    public func emptyCall(
        request: ServerRequest<Grpc_Testing_Empty>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_Empty> {
        ServerResponse(message: Grpc_Testing_Empty())
    }

    public func unaryCall(
        request: ServerRequest<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_SimpleResponse> {
        let (initial, trailing) = Self.echoedMetadata(request.metadata)
        let message = request.message
        if message.hasResponseStatus, message.responseStatus.code != 0 {
            throw Self.error(message.responseStatus, trailing: trailing)
        }
        guard message.responseType == .compressable else {
            throw RPCError(code: .invalidArgument, message: "Unsupported response type.")
        }
        var response = Grpc_Testing_SimpleResponse()
        response.payload = Self.payload(size: Int(message.responseSize))
        return ServerResponse(metadata: initial, message: response, trailers: trailing)
    }

    public func cacheableUnaryCall(
        request: ServerRequest<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_SimpleResponse> {
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = Array(String(ContinuousClock.now.hashValue).utf8)
        return ServerResponse(metadata: ["cache-control": "max-age=60"], message: response)
    }

    public func streamingOutputCall(
        request: ServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let (initial, trailing) = Self.echoedMetadata(request.metadata)
        return StreamingServerResponse(metadata: initial) { writer in
            try await Self.respond(to: request.message, writer: writer)
            if request.message.hasResponseStatus, request.message.responseStatus.code != 0 {
                throw Self.error(request.message.responseStatus, trailing: trailing)
            }
            return trailing
        }
    }

    public func streamingInputCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingInputCallRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_StreamingInputCallResponse> {
        var total = 0
        for try await message in request.messages { total += message.payload.body.count }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(total)
        return ServerResponse(message: response)
    }

    public func fullDuplexCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        let (initial, trailing) = Self.echoedMetadata(request.metadata)
        return StreamingServerResponse(metadata: initial) { writer in
            for try await message in request.messages {
                if message.hasResponseStatus, message.responseStatus.code != 0 {
                    throw Self.error(message.responseStatus, trailing: trailing)
                }
                try await Self.respond(to: message, writer: writer)
            }
            return trailing
        }
    }

    public func halfDuplexCall(
        request: StreamingServerRequest<Grpc_Testing_StreamingOutputCallRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Testing_StreamingOutputCallResponse> {
        StreamingServerResponse { writer in
            var all: [Grpc_Testing_StreamingOutputCallRequest] = []
            for try await message in request.messages { all.append(message) }
            for message in all { try await Self.respond(to: message, writer: writer) }
            return [:]
        }
    }

    public func unimplementedCall(
        request: ServerRequest<Grpc_Testing_Empty>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Testing_Empty> {
        throw RPCError(code: .unimplemented, message: "UnimplementedCall is unimplemented on purpose.")
    }

    private static func respond(
        to request: Grpc_Testing_StreamingOutputCallRequest,
        writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>
    ) async throws {
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(Int(parameters.intervalUs))) }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = payload(size: Int(parameters.size))
            try await writer.write(response)
        }
    }

    static func payload(size: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = [UInt8](repeating: 0, count: size)
        return payload
    }

    private static func error(_ status: Grpc_Testing_EchoStatus, trailing: Metadata) -> RPCError {
        RPCError(code: RPCError.Code(rawValue: Int(status.code)), message: status.message, metadata: trailing)
    }

    /// Echo Metadata: the initial key comes back in headers, the trailing one in trailers.
    private static func echoedMetadata(_ metadata: Metadata) -> (initial: Metadata, trailing: Metadata) {
        var initial = Metadata()
        var trailing = Metadata()
        for value in metadata[stringValues: echoInitialKey] { initial.add(echoInitialKey, value) }
        for bytes in metadata[binaryValues: echoTrailingKey] { trailing.add(echoTrailingKey, bytes: bytes) }
        return (initial, trailing)
    }
}
