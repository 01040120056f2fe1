import MeshRPC
import NIOConcurrencyHelpers
import NIOCore

/// `meshrpc.test.Echo`: a raw-bytes service exercising every call shape, status, metadata and
/// cancellation path, so cross-language tests can drive the RPC stack before any .proto exists.
///
/// Request metadata steers it: `x-echo-sleep-ms` delays the answer (cancellably), `x-echo-status`
/// and `x-echo-message` (or UTF-8 `x-echo-message-bin`) fail the call, `x-meta-*` keys come back as initial metadata and
/// `x-trailer-*` keys as trailers.
struct RPCEchoService: Sendable {
    static let service = "meshrpc.test.Echo"
    static let get = MethodDescriptor(service: service, method: "Get")
    static let collect = MethodDescriptor(service: service, method: "Collect")
    static let expand = MethodDescriptor(service: service, method: "Expand")
    static let update = MethodDescriptor(service: service, method: "Update")
    static let cancellations = MethodDescriptor(service: service, method: "Cancellations")

    /// Handlers that saw their call cancelled, reported by `Cancellations`.
    let cancelled = NIOLockedValueBox(0)

    func register(in router: inout RPCRouter) {
        let coder = RawBytesCoder()
        router.registerUnary(Self.get, deserializer: coder, serializer: coder) { request, _ in
            try await steer(request.metadata)
            return ServerResponse(
                metadata: echoed(request.metadata, prefix: "x-meta-"), message: request.message,
                trailers: echoed(request.metadata, prefix: "x-trailer-"))
        }
        router.registerClientStreaming(Self.collect, deserializer: coder, serializer: coder) { request, _ in
            var all = ByteBuffer()
            for try await var message in request.messages { all.writeBuffer(&message) }
            try await steer(request.metadata)
            return ServerResponse(metadata: echoed(request.metadata, prefix: "x-meta-"), message: all)
        }
        router.registerServerStreaming(Self.expand, deserializer: coder, serializer: coder) { request, _ in
            let count = Int(String(buffer: request.message)) ?? 0
            return StreamingServerResponse(metadata: echoed(request.metadata, prefix: "x-meta-")) { writer in
                for index in 0..<count { try await writer.write(ByteBuffer(string: String(index))) }
                try await steer(request.metadata)
                return echoed(request.metadata, prefix: "x-trailer-")
            }
        }
        router.registerBidirectionalStreaming(Self.update, deserializer: coder, serializer: coder) { request, _ in
            StreamingServerResponse(metadata: echoed(request.metadata, prefix: "x-meta-")) { writer in
                do {
                    for try await message in request.messages { try await writer.write(message) }
                } catch {
                    if RPCError(wrapping: error).code == .cancelled || Task.isCancelled { cancelled.withLockedValue { $0 += 1 } }
                    throw error
                }
                try await steer(request.metadata)
                return echoed(request.metadata, prefix: "x-trailer-")
            }
        }
        router.registerUnary(Self.cancellations, deserializer: coder, serializer: coder) { _, _ in
            ServerResponse(message: ByteBuffer(string: String(cancelled.withLockedValue { $0 })))
        }
    }

    private func steer(_ metadata: Metadata) async throws {
        if let text = metadata.first("x-echo-sleep-ms"), let milliseconds = Int(text) {
            do {
                try await Task.sleep(for: .milliseconds(milliseconds))
            } catch {
                cancelled.withLockedValue { $0 += 1 }
                throw error
            }
        }
        if let text = metadata.first("x-echo-status"), let code = Int(text) {
            throw RPCError(
                code: RPCError.Code(rawValue: code),
                message: metadata[binaryValues: "x-echo-message-bin"].first.map { String(decoding: $0, as: UTF8.self) }
                    ?? metadata.first("x-echo-message") ?? "",
                metadata: echoed(metadata, prefix: "x-trailer-"))
        }
    }

    private func echoed(_ metadata: Metadata, prefix: String) -> Metadata {
        var result = Metadata()
        for element in metadata where element.key.hasPrefix(prefix) { result.add(element.key, element.value) }
        return result
    }
}
