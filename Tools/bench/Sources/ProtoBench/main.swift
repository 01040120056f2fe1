import FlowMessages
import SwiftProtobufPeer

#if canImport(Glibc)
import Glibc
#endif

/// ProtoBench: FileFlow's protobuf codec (FlowMessages + ProtoWire) against apple/swift-protobuf 1.39.0, in one
/// binary and one run. See README.md ("Protobuf codec") for what is measured and how to read it.

let usage = """
    usage: ProtoBench [--samples N] [--sample-ms M] [--only a|b|c|d] [--op encode|decode] [--profile N]
                      [--require-goals]
      --samples N      timed samples per side and row (default 101); the median is reported
      --sample-ms M    target length of one sample (default 1; short samples fit in a scheduler time slice)
      --only X         run case X only (for profiling under valgrind or perf)
      --op OP          run encode or decode only
      --profile N      no timing: run each selected row N times per side, for valgrind or perf (see proto/callgrind.sh)
      --require-goals  exit 2 when a goal is missed (exit 1 is kept for encodings that differ)
    """
var samples = 101
var sampleMilliseconds = 1
var onlyCase: String?
var onlyOperation: Comparison.Operation?
var profileIterations: Int?
var requireGoals = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch (argument, arguments.popFirst()) {
    case ("--samples", let value?) where Int(value).map({ $0 > 0 }) == true: samples = Int(value)!
    case ("--sample-ms", let value?) where Int(value).map({ $0 > 0 }) == true: sampleMilliseconds = Int(value)!
    case ("--only", let value?) where ["a", "b", "c", "d"].contains(value): onlyCase = value
    case ("--op", let value?) where Comparison.Operation(rawValue: value) != nil:
        onlyOperation = Comparison.Operation(rawValue: value)
    case ("--profile", let value?) where Int(value).map({ $0 > 0 }) == true: profileIterations = Int(value)!
    case ("--require-goals", let next):
        requireGoals = true
        if let next { arguments.insert(next, at: arguments.startIndex) }
    default:
        print(usage)
        exit(64)
    }
}

let faster2 = Comparison.Goal(minimumRatio: 2)
let faster15 = Comparison.Goal(minimumRatio: 1.5)
// "No slower" allows 5%: the two sides of (c) run the same instructions (one memcpy of 1 MiB each), and such
// equal work measures 0.95-1.05x on a shared 2-core machine.
let noSlower = Comparison.Goal(minimumRatio: 0.95)
let typical = FileFixture.typical
let progress = ProgressFixture()
let chunk = ChunkFixture()
let list = ListFixture()

let comparisons: [Comparison]
do {
    comparisons =
        try makeComparisons(
            "(a) FileMetadata",
            ours: FlowMessages.Fileflow_V1_FileMetadata(typical),
            peer: SwiftProtobufPeer.Fileflow_V1_FileMetadata(typical),
            encodeGoal: faster15, decodeGoal: faster2
        )
        + makeComparisons(
            "(b) TransferProgress",
            ours: FlowMessages.Fileflow_V1_TransferProgress(progress),
            peer: SwiftProtobufPeer.Fileflow_V1_TransferProgress(progress),
            encodeGoal: faster15, decodeGoal: Comparison.Goal(minimumRatio: 2, maximumOurAllocations: 1)
        )
        + makeComparisons(
            "(c) DownloadChunk 1 MiB",
            ours: FlowMessages.Fileflow_V1_DownloadChunk(chunk),
            peer: SwiftProtobufPeer.Fileflow_V1_DownloadChunk(chunk),
            encodeGoal: noSlower, decodeGoal: noSlower
        )
        + makeComparisons(
            "(d) ListFiles ×1000",
            ours: FlowMessages.Fileflow_V1_ListFilesResponse(list),
            peer: SwiftProtobufPeer.Fileflow_V1_ListFilesResponse(list),
            encodeGoal: noSlower, decodeGoal: noSlower
        )
} catch {
    print("FAIL: encodings differ, nothing timed. \(error)")
    exit(1)
}
print("encodings byte-identical in both directions for all \(comparisons.count / 2) cases")
print("allocation counting: \(AllocationCounter.isActive ? "on (malloc-interposer preloaded)" : "OFF (not preloaded)")")

let selected = comparisons.filter { comparison in
    (onlyCase.map { comparison.caseName.hasPrefix("(\($0))") } ?? true)
        && (onlyOperation.map { comparison.operation == $0 } ?? true)
}
if let profileIterations {
    for comparison in selected {
        comparison.ours(profileIterations)
        comparison.peer(profileIterations)
    }
    print("ran \(selected.count) row(s) \(profileIterations) times per side, untimed")
    exit(0)
}
print("timing: median of \(samples) samples of ~\(sampleMilliseconds) ms per side, samples alternated")
let stopwatch = Stopwatch(sampleDuration: .milliseconds(sampleMilliseconds))
var measurements: [Measurement] = []
for comparison in selected {
    measurements.append(Measurement.run(comparison, stopwatch: stopwatch, samples: samples))
}
print()
print(Report.table(measurements))
print()
let misses = Report.misses(measurements)
if misses.isEmpty {
    print("all goals met")
} else {
    print("goals missed:")
    for miss in misses { print("  - \(miss)") }
    if requireGoals { exit(2) }
}
