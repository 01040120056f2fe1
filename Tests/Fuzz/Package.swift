// swift-tools-version: 6.0
import PackageDescription

/// libFuzzer targets, a package of their own: they are built with `-sanitize=fuzzer,address` and have no `main`
/// (libFuzzer brings it), so they must stay out of the main package's ordinary build. Each is a library target
/// whose objects `run` links with libFuzzer itself: SwiftPM insists on a Swift `main` in executables.
let package = Package(
    name: "FileFlowFuzz",
    dependencies: [.package(name: "FileFlow", path: "../..")],
    targets: [
        .target(
            name: "ProtoDecoderFuzz",
            dependencies: [.product(name: "FlowMessages", package: "FileFlow")]
        )
    ]
)
