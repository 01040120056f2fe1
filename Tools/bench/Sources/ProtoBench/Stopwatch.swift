/// Times a loop body with `ContinuousClock`: calibrates an iteration count, then takes per-run samples.
struct Stopwatch {
    /// How long one sample should take; long enough that clock reads and loop setup vanish.
    var sampleDuration: Duration

    /// Nanoseconds per iteration of one run of `body(iterations)`.
    func nanosecondsPerIteration(_ iterations: Int, _ body: (Int) -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body(iterations)
        return Self.nanoseconds(start.duration(to: clock.now)) / Double(iterations)
    }

    /// The iteration count that makes one sample last about `sampleDuration` (at least 1).
    func calibrate(_ body: (Int) -> Void) -> Int {
        let target = Self.nanoseconds(sampleDuration)
        var iterations = 1
        while true {
            let perIteration = nanosecondsPerIteration(iterations, body)
            let total = perIteration * Double(iterations)
            if total >= target / 4 {
                return max(1, Int((target / perIteration).rounded()))
            }
            iterations *= 4
        }
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}

extension Array where Element == Double {
    /// The middle sample (the mean of the two middle ones for an even count).
    var median: Double {
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
