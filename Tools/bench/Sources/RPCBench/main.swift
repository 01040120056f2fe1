import GRPCCore
import GRPCNIOTransportHTTP2
#if canImport(Glibc)
import Glibc
#endif

/// `RPCBench peer-server --port N`: the grpc-swift-2 server the RPC benchmark compares FileFlow's
/// nghttp2 server against (Tools/bench/rpc/run.sh drives both with h2load).
let arguments = CommandLine.arguments
guard arguments.count == 4, arguments[1] == "peer-server", arguments[2] == "--port", let port = Int(arguments[3]) else {
    print("usage: RPCBench peer-server --port N")
    exit(2)
}
let server = GRPCServer(
    transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
    services: [PeerTestService()]
)
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    if let address = try await server.listeningAddress?.ipv4 {
        print("listening on \(address.port)")
    }
    fflush(nil)
}
