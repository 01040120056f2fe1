/// The measured figures of one `Comparison`.
struct Measurement {
    let comparison: Comparison
    /// Median nanoseconds per operation over the samples.
    let ourNanoseconds: Double
    let peerNanoseconds: Double
    /// Heap allocations per operation, or nil when the interposer is not loaded.
    let ourAllocations: Double?
    let peerAllocations: Double?
    /// swift-protobuf's time over ours, the median over adjacent sample pairs: above 1 means ours is faster.
    /// Pairing keeps a burst of load from a neighbour (it hits both samples of a pair) out of the ratio.
    let ratio: Double

    var speedGoalMet: Bool { ratio >= comparison.goal.minimumRatio }

    /// nil when the goal bounds allocations but they could not be counted.
    var allocationGoalMet: Bool? {
        guard let bound = comparison.goal.maximumOurAllocations else { return true }
        guard let ourAllocations else { return nil }
        return ourAllocations <= bound
    }

    /// Times both sides: calibrates each, then alternates their samples (swapping who goes first every run) so
    /// drift from the neighbours on a shared machine lands on both alike; takes the median of each side; then
    /// counts allocations over a separate, untimed run.
    static func run(_ comparison: Comparison, stopwatch: Stopwatch, samples: Int) -> Measurement {
        let ourIterations = stopwatch.calibrate(comparison.ours)
        let peerIterations = stopwatch.calibrate(comparison.peer)
        var ourSamples: [Double] = []
        var peerSamples: [Double] = []
        for sample in 0..<samples {
            if sample % 2 == 0 {
                ourSamples.append(stopwatch.nanosecondsPerIteration(ourIterations, comparison.ours))
                peerSamples.append(stopwatch.nanosecondsPerIteration(peerIterations, comparison.peer))
            } else {
                peerSamples.append(stopwatch.nanosecondsPerIteration(peerIterations, comparison.peer))
                ourSamples.append(stopwatch.nanosecondsPerIteration(ourIterations, comparison.ours))
            }
        }
        var ourAllocations: Double?
        var peerAllocations: Double?
        if AllocationCounter.isActive {
            ourAllocations = AllocationCounter.count(iterations: min(ourIterations, 1_000), comparison.ours)
            peerAllocations = AllocationCounter.count(iterations: min(peerIterations, 1_000), comparison.peer)
        }
        return Measurement(
            comparison: comparison,
            ourNanoseconds: ourSamples.median,
            peerNanoseconds: peerSamples.median,
            ourAllocations: ourAllocations,
            peerAllocations: peerAllocations,
            ratio: zip(peerSamples, ourSamples).map { $0 / $1 }.median
        )
    }
}
