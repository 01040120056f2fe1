// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks: ours against the named peer, side by side in one run, printing the ratio.
/// A separate package so the heavy peers (swift-protobuf, grpc-swift-2) never weigh on the main build.
let package = Package(
    name: "FileFlowBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "FileFlow", path: "../.."),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
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
        .executableTarget(
            name: "SearchBench",
            dependencies: [.product(name: "SearchIndex", package: "FileFlow")]
        ),
    ]
)
