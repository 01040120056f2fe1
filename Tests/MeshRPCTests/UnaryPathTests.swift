import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// A unary call takes a direct path when the server has no interceptors and the streaming adapters otherwise:
/// both must answer every request shape with the same parts, in the same order, with the same statuses.
@Suite struct UnaryPathTests {
    static let echo = MethodDescriptor(service: "test.Echo", method: "Get")

    /// Fails to decode an empty message, so decoding errors can be provoked.
    struct StrictCoder: MessageSerializer, MessageDeserializer {
        func serialize(_ message: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: message) }
        func deserialize(_ bytes: ByteBuffer) throws -> [UInt8] {
            guard bytes.readableBytes > 0 else { throw RPCError(code: .invalidArgument, message: "empty") }
            return Array(bytes.readableBytesView)
        }
    }

    /// What the server wrote for one stream whose request consisted of `parts`.
    static func serve(_ parts: [RPCRequestPart], interceptors: [any ServerInterceptor]) async -> [RPCResponsePart] {
        var router = RPCRouter()
        router.registerUnary(echo, deserializer: StrictCoder(), serializer: StrictCoder()) { request, _ in
            ServerResponse(metadata: ["echo": "yes"], message: request.message, trailers: ["done": "1"])
        }
        let written = NIOLockedValueBox<[RPCResponsePart]>([])
        let stream = RPCServerStream(
            path: echo.path, deadline: nil, peer: "test", inbound: .elements(parts),
            outbound: ClosableRPCWriter(write: { part in written.withLockedValue { $0.append(part) } }, finish: { _ in }))
        let server = RPCServer(
            transport: InProcessTransport.makePair().server, router: router, interceptors: interceptors)
        await server.handle(stream)
        return written.withLockedValue { $0 }
    }

    static func bytes(_ values: [UInt8]) -> RPCRequestPart { .message(ByteBuffer(bytes: values)) }

    @Test(arguments: [false, true])
    func bothPathsAnswerAlike(intercepted: Bool) async {
        // An interceptor that lets the call through forces the streaming adapters.
        let interceptors: [any ServerInterceptor] = intercepted ? [InProcessTransportTests.AuthInterceptor()] : []
        let metadata = RPCRequestPart.metadata(["authorization": "Bearer good"])
        let internalError = { (message: String) in
            [RPCResponsePart.status(Status(code: .internalError, message: message), [:])]
        }

        #expect(
            await Self.serve([metadata, Self.bytes([7])], interceptors: interceptors) == [
                .metadata(["echo": "yes"]), .message(ByteBuffer(bytes: [7])), .status(.ok, ["done": "1"]),
            ])
        #expect(
            await Self.serve([metadata], interceptors: interceptors)
                == internalError("The client sent no request message for a unary method."))
        #expect(
            await Self.serve([metadata, Self.bytes([1]), Self.bytes([2])], interceptors: interceptors)
                == internalError("The client sent more than one request message."))
        // The message is decoded before a second one is looked for, so a bad first message is what is reported.
        #expect(
            await Self.serve([metadata, Self.bytes([]), Self.bytes([2])], interceptors: interceptors)
                == internalError("Could not deserialize the request message."))
        #expect(
            await Self.serve([metadata, .metadata(["y": "2"])], interceptors: interceptors)
                == internalError("Metadata arrived after messages."))
        #expect(
            await Self.serve([Self.bytes([1])], interceptors: interceptors)
                == internalError("The stream did not start with metadata."))
    }
}
