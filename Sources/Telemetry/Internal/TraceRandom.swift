import Synchronization

/// Where trace and span IDs and sampling draws come from: xoshiro256** seeded once from the system's generator.
///
/// IDs must be unique and well spread, not secret, and every traced request draws two or three numbers, which
/// from `SystemRandomNumberGenerator` would be one `getrandom` system call each.
struct TraceRandom: RandomNumberGenerator {
    static let shared = Mutex(TraceRandom())

    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        repeat {
            state = (system.next(), system.next(), system.next(), system.next())
        } while state == (0, 0, 0, 0)
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { value << count | value >> (64 - count) }
}
