import NIOCore

/// Caps how fast a client may reset streams (CVE-2023-44487 "rapid reset"): a token bucket with a
/// burst and a refill rate, as nghttp2 ≥ 1.57 does; a connection that runs dry is closed.
struct RapidResetGuard {
    let burst: Double
    let refillPerSecond: Double
    private var tokens: Double
    private var lastRefill: NIODeadline

    init(burst: Int, refillPerSecond: Int, now: NIODeadline) {
        self.burst = Double(burst)
        self.refillPerSecond = Double(refillPerSecond)
        tokens = Double(burst)
        lastRefill = now
    }

    /// Records one reset; false means the budget is exhausted and the client is abusive.
    mutating func recordReset(now: NIODeadline) -> Bool {
        let elapsed = Double((now - lastRefill).nanoseconds) / 1e9
        tokens = min(burst, tokens + elapsed * refillPerSecond)
        lastRefill = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
