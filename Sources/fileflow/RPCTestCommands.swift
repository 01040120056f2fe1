import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import MeshRPC
import MeshRPCHTTP2
import NIOCore

/// `fileflow rpc-echo-server --port N`: serves `meshrpc.test.Echo` for cross-language RPC tests.
struct RPCEchoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-echo-server", abstract: "Serve the raw-bytes echo service used by the RPC tests.")

    @Option(help: "Port to listen on (0 picks a free one, printed on stdout).") var port = 0
    @Option(help: "Close connections without streams after this many milliseconds.") var idleTimeoutMs = 300_000
    @Option(help: "Largest request message accepted, in bytes.") var maxReceiveBytes = 4 << 20

    func run() async throws {
        var configuration = HTTP2ServerConfiguration()
        configuration.idleTimeout = .milliseconds(idleTimeoutMs)
        configuration.maxReceiveMessageBytes = maxReceiveBytes
        let transport = HTTP2ServerTransport(host: "127.0.0.1", port: port, configuration: configuration)
        var router = RPCRouter()
        RPCEchoService().register(in: &router)
        let server = RPCServer(transport: transport, router: router)
        async let serving: Void = server.serveUntilSignalled()
        let address = try await transport.listeningAddress
        print("listening on \(address.port ?? 0)")
        fflush(nil)
        try await serving
    }
}

/// `fileflow rpc-echo-client --target H:P --case NAME`: drives a peer's echo service with our client.
struct RPCEchoClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-echo-client", abstract: "Call an echo service with the FileFlow RPC client.")

    @Option(help: "host:port of the server.") var target: String
    @Option(name: .customLong("case"), help: """
        unary, client_streaming, server_streaming, bidi, metadata, status, deadline, unimplemented, cancel
        """)
    var testCase: String

    func run() async throws {
        let parts = target.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--target must be host:port") }
        let transport = HTTP2ClientTransport(target: .hostPort(String(parts[0]), port))
        defer { Task { await transport.close() } }
        try await RPCEchoChecks(client: RPCClient(transport: transport)).run(testCase)
        print("\(testCase): OK")
    }
}

/// The client-side checks behind `rpc-echo-client`, one per case; each throws when the peer misbehaves.
struct RPCEchoChecks {
    let client: RPCClient
    private let coder = ByteArrayCoder()

    struct CheckFailed: Error, CustomStringConvertible {
        let description: String
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw CheckFailed(description: message()) }
    }

    func run(_ name: String) async throws {
        switch name {
        case "unary":
            let response = try await client.unary(
                request: ClientRequest(message: Array("hello".utf8)), descriptor: RPCEchoService.get,
                serializer: coder, deserializer: coder)
            try expect(response.message == Array("hello".utf8), "unary echoed \(response.message)")
        case "client_streaming":
            let response = try await client.clientStreaming(
                request: StreamingClientRequest { writer in
                    for word in ["a", "bb", "ccc"] { try await writer.write(Array(word.utf8)) }
                },
                descriptor: RPCEchoService.collect, serializer: coder, deserializer: coder)
            try expect(response.message == Array("abbccc".utf8), "collected \(response.message)")
        case "server_streaming":
            let messages = try await client.serverStreaming(
                request: ClientRequest(message: Array("5".utf8)), descriptor: RPCEchoService.expand,
                serializer: coder, deserializer: coder
            ) { response in
                var all: [String] = []
                for try await message in response.messages { all.append(String(decoding: message, as: UTF8.self)) }
                return all
            }
            try expect(messages == ["0", "1", "2", "3", "4"], "expanded to \(messages)")
        case "bidi":
            let echoed = try await client.bidirectionalStreaming(
                request: StreamingClientRequest { writer in
                    for index in 0..<3 { try await writer.write(Array("m\(index)".utf8)) }
                },
                descriptor: RPCEchoService.update, serializer: coder, deserializer: coder
            ) { response in
                var all: [String] = []
                for try await message in response.messages { all.append(String(decoding: message, as: UTF8.self)) }
                return all
            }
            try expect(echoed == ["m0", "m1", "m2"], "bidi echoed \(echoed)")
        case "metadata":
            var metadata = Metadata()
            metadata.add("x-meta-text", "value one")
            metadata.add("x-meta-data-bin", bytes: [0, 1, 2, 254, 255])
            metadata.add("x-trailer-data-bin", bytes: [9, 8, 7])
            let response = try await client.unary(
                request: ClientRequest(metadata: metadata, message: [1]), descriptor: RPCEchoService.get,
                serializer: coder, deserializer: coder)
            try expect(response.metadata.first("x-meta-text") == "value one", "initial metadata \(response.metadata)")
            try expect(response.metadata[binaryValues: "x-meta-data-bin"] == [[0, 1, 2, 254, 255]], "binary \(response.metadata)")
            try expect(response.trailers[binaryValues: "x-trailer-data-bin"] == [[9, 8, 7]], "trailers \(response.trailers)")
        case "status":
            var metadata: Metadata = ["x-echo-status": "5"]
            metadata.add("x-echo-message-bin", bytes: Array("not here: ünïcödé\n\t100%".utf8))
            do {
                _ = try await client.unary(
                    request: ClientRequest(metadata: metadata, message: [1]), descriptor: RPCEchoService.get,
                    serializer: coder, deserializer: coder)
                throw CheckFailed(description: "status: the call succeeded")
            } catch let error as RPCError {
                try expect(error.code == .notFound && error.message == "not here: ünïcödé\n\t100%", "status got \(error)")
            }
        case "deadline":
            do {
                _ = try await client.unary(
                    request: ClientRequest(metadata: ["x-echo-sleep-ms": "5000"], message: [1]),
                    descriptor: RPCEchoService.get, serializer: coder, deserializer: coder,
                    options: CallOptions(timeout: .milliseconds(200)))
                throw CheckFailed(description: "deadline: the call succeeded")
            } catch let error as RPCError {
                try expect(error.code == .deadlineExceeded, "deadline got \(error)")
            }
        case "unimplemented":
            do {
                _ = try await client.unary(
                    request: ClientRequest(message: [1]), descriptor: MethodDescriptor(service: "no.Such", method: "Thing"),
                    serializer: coder, deserializer: coder)
                throw CheckFailed(description: "unimplemented: the call succeeded")
            } catch let error as RPCError {
                try expect(error.code == .unimplemented, "unimplemented got \(error)")
            }
        case "cancel":
            let task = Task {
                try await client.unary(
                    request: ClientRequest(metadata: ["x-echo-sleep-ms": "5000"], message: [1]),
                    descriptor: RPCEchoService.get, serializer: coder, deserializer: coder)
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            do {
                _ = try await task.value
                throw CheckFailed(description: "cancel: the call succeeded")
            } catch let error as RPCError {
                try expect(error.code == .cancelled, "cancel got \(error)")
            }
        default:
            throw ValidationError("unknown case \(name)")
        }
    }
}
