// swift-tools-version: 6.0
import PackageDescription

/// FileFlow: one package, small modules with one job each (see README.md, "Module map").
/// Heavy peers used only for benchmarks live in Tools/bench, a separate package.
let package = Package(
    name: "FileFlow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fileflow", targets: ["fileflow"]),
        .executable(name: "protogen", targets: ["protogen"]),
        .library(name: "ProtoWire", targets: ["ProtoWire"]),
        .library(name: "FlowMessages", targets: ["FlowMessages"]),
        .library(name: "SearchIndex", targets: ["SearchIndex"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
        .library(name: "MetadataCache", targets: ["MetadataCache"]),
        .library(name: "EventBus", targets: ["EventBus"]),
        .library(name: "OutboxRelay", targets: ["OutboxRelay"]),
        .library(name: "BlockStore", targets: ["BlockStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Declared because the gateway imports them directly; Hummingbird brings them in anyway.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // System libraries: a module map and one shim header each; imported by exactly one Swift module.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),

        // Protobuf wire runtime (no dependencies) and its ByteBuffer bridge for the RPC layer.
        .target(name: "ProtoWire"),
        .target(name: "ProtoWireNIO", dependencies: ["ProtoWire", nio("NIOCore")]),
        // Code generated from Protos/ by Tools/protogen; committed, checked against a fresh generation.
        .target(name: "FlowMessages", dependencies: ["ProtoWire"]),

        // The RPC layer: a transport-agnostic core, the gRPC wire transport on nghttp2, generated-message glue,
        // the standard health service, and gRPC's interop TestService.
        .target(name: "MeshRPC", dependencies: [nio("NIOCore"), nio("NIOConcurrencyHelpers")]),
        .target(
            name: "MeshRPCHTTP2",
            dependencies: ["MeshRPC", "CNGHTTP2", nio("NIOCore"), nio("NIOPosix"), nio("NIOConcurrencyHelpers")]
        ),
        .target(name: "MeshRPCProto", dependencies: ["MeshRPC", "ProtoWire", "ProtoWireNIO", nio("NIOCore")]),
        .target(name: "MeshRPCHealth", dependencies: ["MeshRPC", "MeshRPCProto", "FlowMessages", nio("NIOConcurrencyHelpers")]),
        .target(name: "Interop", dependencies: ["MeshRPC", "MeshRPCProto", "FlowMessages"]),

        // Zipkin v2 spans through swift-distributed-tracing's Tracer API, B3 propagation, a reporter that never blocks;
        // Prometheus metrics through swift-metrics; JSON-lines logs through swift-log.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Tracing and metrics interceptors for MeshRPC servers and clients.
        .target(
            name: "MeshRPCTelemetry",
            dependencies: [
                "MeshRPC", "Telemetry", nio("NIOCore"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // What every service process shares: the caller identity, the HTTP/1.1 ops port (/healthz, /readyz, /metrics),
        // Kafka event consumption with dedupe, mesh clients, and the run loop with graceful shutdown.
        .target(
            name: "ServiceKit",
            dependencies: [
                "MeshRPC", "MeshRPCHTTP2", "MeshRPCHealth", "MeshRPCProto", "MeshRPCTelemetry", "FlowMessages",
                "ProtoWire", "PostgresStore", "MetadataCache", "EventBus", "Telemetry", nio("NIOCore"), nio("NIOPosix"),
                nio("NIOHTTP1"),
                nio("NIOConcurrencyHelpers"), .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The services: one module each, an RPC implementation over the stores.
        .target(
            name: "MetadataService",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCProto", "FlowMessages", "ProtoWire", "PostgresStore", "MetadataCache",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FileProcessService",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCProto", "FlowMessages", "ProtoWire", "PostgresStore", "BlockStore",
                "EventBus", nio("NIOCore"), nio("NIOPosix"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SearchService",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCProto", "FlowMessages", "PostgresStore", "SearchIndex", "EventBus",
                "Telemetry", .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "DeletionService",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCProto", "FlowMessages", "PostgresStore", "MetadataCache", "BlockStore",
            ]
        ),
        .target(
            name: "NotificationService",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCProto", "FlowMessages", "PostgresStore", "EventBus",
                nio("NIOConcurrencyHelpers"),
            ]
        ),

        // The REST edge and web UI: Hummingbird in front of the mesh, reaching the services only over MeshRPC.
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit", "MeshRPC", "MeshRPCHTTP2", "MeshRPCProto", "FlowMessages", "ProtoWire", "Telemetry",
                "MetadataCache", nio("NIOCore"), nio("NIOHTTP1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Public")]
        ),

        // The inverted index engine: pure Swift, no I/O but its own segment files.
        .target(name: "SearchIndex"),

        // Storage: each module wraps one C library (or none); everything above them is safe async Swift.
        .target(name: "PostgresStore", dependencies: ["CLibPQ"]),
        .target(
            name: "MetadataCache",
            dependencies: ["CHiredis", "PostgresStore", .product(name: "Metrics", package: "swift-metrics")]
        ),
        .target(
            name: "EventBus",
            dependencies: [
                "CRdKafka", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Publishes outbox rows through EventBus, so that EventBus never needs libpq.
        .target(
            name: "OutboxRelay",
            dependencies: ["EventBus", "PostgresStore", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "BlockStore",
            dependencies: [
                "PostgresStore", nio("NIOCore"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),

        .executableTarget(
            name: "fileflow",
            dependencies: [
                "EventBus", "PostgresStore", "MetadataCache", "MeshRPC", "MeshRPCHTTP2", "MeshRPCHealth", "Interop",
                "MetadataService", "FileProcessService", "SearchService", "DeletionService", "NotificationService",
                "Gateway", "ServiceKit", "OutboxRelay", "BlockStore", nio("NIOCore"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The proto3 parser and Swift generator, and its command-line front.
        .target(name: "ProtogenKit", path: "Tools/protogen/ProtogenKit"),
        .executableTarget(name: "protogen", dependencies: ["ProtogenKit"], path: "Tools/protogen/CLI"),

        .testTarget(
            name: "ProtoWireTests", dependencies: ["ProtoWire", "ProtoWireNIO", "FlowMessages"], exclude: ["Fixtures"]
        ),
        .testTarget(name: "ProtogenTests", dependencies: ["ProtogenKit"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MeshRPCTests", dependencies: ["MeshRPC", nio("NIOCore"), nio("NIOConcurrencyHelpers")]),
        .testTarget(
            name: "MeshRPCHTTP2Tests",
            dependencies: ["MeshRPCHTTP2", "MeshRPC", nio("NIOCore"), nio("NIOPosix"), nio("NIOConcurrencyHelpers")]
        ),
        .testTarget(name: "MetadataServiceTests", dependencies: ["MetadataService"]),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry", "MeshRPCTelemetry", "MeshRPC",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "ServicesTests", dependencies: ["ServiceKit", "FileProcessService", "SearchService",
                                                          "DeletionService", "NotificationService", "BlockStore"]),
        .testTarget(name: "SearchIndexTests", dependencies: ["SearchIndex"]),
        .testTarget(
            name: "DataPlaneTests",
            dependencies: ["PostgresStore", "MetadataCache", "EventBus", "OutboxRelay", "BlockStore"]
        ),
        // Decodes and re-encodes messages by type name over a pipe, for Tests/python's protobuf cross-checks.
        .executableTarget(name: "proto-roundtrip", dependencies: ["FlowMessages", "ProtoWire"], path: "Tests/ProtoRoundTrip"),
    ],
    swiftLanguageModes: [.v6]
)

/// A product of swift-nio.
func nio(_ name: String) -> Target.Dependency { .product(name: name, package: "swift-nio") }
