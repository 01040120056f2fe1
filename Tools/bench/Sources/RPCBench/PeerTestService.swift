import FlowMessages
import GRPCCore
import ProtoWire

/// grpc.testing.TestService's UnaryCall and StreamingInputCall on grpc-swift-2, with the same
/// messages (ProtoWire) and the same work as FileFlow's interop server: the peer for the RPC bench.
struct PeerTestService: RegistrableRPCService {
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "grpc.testing.TestService", method: "UnaryCall"),
            deserializer: ProtoWireDeserializer<Grpc_Testing_SimpleRequest>(),
            serializer: ProtoWireSerializer<Grpc_Testing_SimpleResponse>()
        ) { request, _ in
            var iterator = request.messages.makeAsyncIterator()
            guard let message = try await iterator.next() else {
                throw RPCError(code: .internalError, message: "no request")
            }
            var response = Grpc_Testing_SimpleResponse()
            response.payload.body = [UInt8](repeating: 0, count: Int(message.responseSize))
            return StreamingServerResponse(single: ServerResponse(message: response))
        }
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "grpc.testing.TestService", method: "StreamingInputCall"),
            deserializer: ProtoWireDeserializer<Grpc_Testing_StreamingInputCallRequest>(),
            serializer: ProtoWireSerializer<Grpc_Testing_StreamingInputCallResponse>()
        ) { request, _ in
            var total = 0
            for try await message in request.messages { total += message.payload.body.count }
            var response = Grpc_Testing_StreamingInputCallResponse()
            response.aggregatedPayloadSize = Int32(truncatingIfNeeded: total)
            return StreamingServerResponse(single: ServerResponse(message: response))
        }
    }
}

struct ProtoWireSerializer<Message: ProtoMessage>: GRPCCore.MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes(message.serializedBytes())
    }
}

struct ProtoWireDeserializer<Message: ProtoMessage>: GRPCCore.MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { try Message(serializedBytes: $0) }
    }
}
