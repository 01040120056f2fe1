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
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
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

        // Zipkin v2 spans through swift-distributed-tracing's Tracer API, B3 propagation, a reporter that never blocks.
        .target(name: "Telemetry", dependencies: [.product(name: "Tracing", package: "swift-distributed-tracing")]),

        // The services: one module each, an RPC implementation over the stores.
        .target(
            name: "MetadataService",
            dependencies: [
                "MeshRPC", "MeshRPCProto", "FlowMessages", "ProtoWire", "PostgresStore", "MetadataCache",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // The inverted index engine: pure Swift, no I/O but its own segment files.
        .target(name: "SearchIndex"),

        // Storage: each module wraps one C library (or none); everything above them is safe async Swift.
        .target(name: "PostgresStore", dependencies: ["CLibPQ"]),
        .target(name: "MetadataCache", dependencies: ["CHiredis", "PostgresStore"]),
        .target(name: "EventBus", dependencies: ["CRdKafka"]),
        // Publishes outbox rows through EventBus, so that EventBus never needs libpq.
        .target(name: "OutboxRelay", dependencies: ["EventBus", "PostgresStore"]),
        .target(name: "BlockStore", dependencies: ["PostgresStore", .product(name: "Crypto", package: "swift-crypto")]),

        .executableTarget(
            name: "fileflow",
            dependencies: [
                "EventBus", "PostgresStore", "MetadataCache", "MeshRPC", "MeshRPCHTTP2", "MeshRPCHealth", "Interop",
                "MetadataService", nio("NIOCore"),
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
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
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
