/// SplitMix64: a tiny seeded generator so every random corpus and query list is reproducible from its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A Zipf-like pick in `0..<count`: small indexes are much more likely.
    mutating func skewed(_ count: Int) -> Int {
        let u = Double.random(in: 0..<1, using: &self)
        return min(count - 1, Int(Double(count) * u * u * u))
    }
}
