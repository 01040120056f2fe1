// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks: ours against the named peer, side by side in one run, printing the ratio.
/// A separate package so the heavy peers (swift-protobuf, grpc-swift-2) never weigh on the main build.
let package = Package(
    name: "FileFlowBench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "FileFlow", path: "../.."),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    ],
    targets: [
        // swift-protobuf's code for the same .proto files, made once by protoc + protoc-gen-swift 1.39.0.
        .target(
            name: "SwiftProtobufPeer",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .executableTarget(
            name: "ProtoBench",
            dependencies: [
                "SwiftProtobufPeer",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "FlowMessages", package: "FileFlow"),
                .product(name: "ProtoWire", package: "FileFlow"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        ),
        .executableTarget(
            name: "DataPlaneBench",
            dependencies: [
                .product(name: "PostgresStore", package: "FileFlow"),
                .product(name: "MetadataCache", package: "FileFlow"),
                .product(name: "BlockStore", package: "FileFlow"),
            ]
        ),
        // A grpc-swift-2 server implementing the same TestService method as ours, for h2load side by side.
        .executableTarget(
            name: "RPCBench",
            dependencies: [
                .product(name: "FlowMessages", package: "FileFlow"),
                .product(name: "ProtoWire", package: "FileFlow"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        // Our Kafka producer vs Python confluent-kafka (events/peer_producer.py), and outbox → consumer latency.
        .executableTarget(
            name: "EventsBench",
            dependencies: [
                .product(name: "EventBus", package: "FileFlow"),
                .product(name: "OutboxRelay", package: "FileFlow"),
                .product(name: "PostgresStore", package: "FileFlow"),
            ]
        ),
        .executableTarget(
            name: "SearchBench",
            dependencies: [.product(name: "SearchIndex", package: "FileFlow")]
        ),
    ]
)
