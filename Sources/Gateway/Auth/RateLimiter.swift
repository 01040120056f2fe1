internal import Logging

/// A token bucket per user in Redis: `rate` tokens a second refill it up to `burst`; every request takes one.
/// Time comes from Redis (`TIME`), so gateway replicas with skewed clocks share one fair bucket.
///
/// When Redis cannot be reached requests are let through (and logged): the limit protects the mesh from a runaway
/// client, and refusing everybody during a Redis restart would be a worse outage than the one it prevents.
struct RateLimiter: Sendable {
    let redis: RedisState
    let rate: Double
    let burst: Int
    let logger: Logger

    static let script = """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local now = redis.call('TIME')
        local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or burst
        local at = tonumber(state[2]) or nowMs
        if nowMs > at then tokens = math.min(burst, tokens + (nowMs - at) * rate / 1000) end
        local allowed = 0
        local waitMs = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          waitMs = math.ceil((1 - tokens) * 1000 / rate)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(nowMs, at)))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
        return {allowed, waitMs}
        """

    /// Takes a token for `userID`; 429 with `Retry-After` when the bucket is empty.
    func admit(_ userID: String) async throws {
        let reply: [Int64]
        do {
            reply = try await redis.run(
                Self.script, keys: [redis.key("rate", userID)], arguments: [String(rate), String(burst)])
        } catch {
            logger.warning("rate limit not checked: redis unavailable", metadata: ["error": "\(error)"])
            return
        }
        guard reply.count == 2, reply[0] == 0 else { return }
        throw APIError.tooManyRequests(
            "too many requests; slow down", retryAfterSeconds: Int((reply[1] + 999) / 1000))
    }
}
