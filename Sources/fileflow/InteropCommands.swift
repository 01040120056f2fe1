import ArgumentParser
import Interop
import Logging
import MeshRPC
import MeshRPCHTTP2
import MeshRPCHealth
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// `fileflow interop-server --port N`: grpc.testing.TestService (and health) for gRPC's interop suite.
///
/// With `--telemetry` it runs like a service (`ServiceHost`): every RPC traced and measured, spans exported as
/// `FILEFLOW_ZIPKIN_ENDPOINT` / `FILEFLOW_TRACE_FILE` / `FILEFLOW_TRACE_SAMPLE_RATE` say, `/metrics` on the ops
/// port. That is what the tracing-overhead benchmark compares against the same server untraced.
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-server", abstract: "Serve grpc.testing.TestService for gRPC interop tests.")

    @Option(help: "Port to listen on (0 picks a free one).") var port: Int
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Flag(help: "Trace and measure every RPC as the services do; serve /metrics on --ops-port.") var telemetry = false
    @Option(help: "With --telemetry: port of /healthz, /readyz and /metrics (0 picks a free one).") var opsPort = 0

    func run() async throws {
        var router = RPCRouter()
        InteropServer().register(in: &router)
        if telemetry {
            let telemetry = ServiceTelemetry.bootstrap(service: "interop")
            let host = ServiceHost(
                name: "interop", serviceName: "grpc.testing.TestService", host: host, rpcPort: port,
                opsPort: opsPort, readiness: { (true, "serving") })
            try await host.run(router: router, telemetry: telemetry, logger: Logger(label: "fileflow.interop"))
            return
        }
        let transport = HTTP2ServerTransport(host: host, port: port)
        HealthService().register(in: &router)
        let server = RPCServer(transport: transport, router: router)
        async let serving: Void = server.serveUntilSignalled()
        print("listening on \(try await transport.listeningAddress.port ?? port)")
        fflush(nil)
        try await serving
    }
}

/// `fileflow interop-client --server_host H --server_port P --test_case NAME` with gRPC's flag names.
struct InteropClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-client", abstract: "Run a gRPC interop test case against a TestService server.")

    @Option(name: .customLong("server_host")) var serverHost = "127.0.0.1"
    @Option(name: .customLong("server_port")) var serverPort: Int
    @Option(name: .customLong("test_case"), help: "A case name, or all_cases.") var testCase: String
    @Option(name: .customLong("use_tls"), help: "Only false is supported.") var useTLS = "false"

    func run() async throws {
        guard useTLS == "false" else { throw ValidationError("TLS is not supported by this client.") }
        let transport = HTTP2ClientTransport(target: .hostPort(serverHost, serverPort))
        let client = InteropClient(client: RPCClient(transport: transport))
        let cases = testCase == "all_cases" ? InteropClient.cases : [testCase]
        for name in cases {
            try await client.run(name)
            print("\(name): OK")
        }
        await transport.close()
    }
}
