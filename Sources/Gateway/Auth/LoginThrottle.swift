/// Slows password guessing: failed sign-ins are counted per username and per client address in Redis over a
/// window; past the limit, sign-in is refused with 429 (before the password is even checked) until the window
/// ends. A success clears the username's count. Unlike the request rate limit this one fails closed: without
/// Redis, sign-in answers 503 rather than allowing unthrottled guessing.
struct LoginThrottle: Sendable {
    let redis: RedisState
    let settings: GatewayConfiguration.LoginThrottle

    /// Throws 429 while either counter is at its limit.
    func check(username: String, address: String) async throws {
        let script = """
            local wait = 0
            if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then
              wait = math.max(wait, redis.call('PTTL', KEYS[1]))
            end
            if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then
              wait = math.max(wait, redis.call('PTTL', KEYS[2]))
            end
            return wait
            """
        let wait = try await guarded {
            try await redis.run(
                script, keys: keys(username, address),
                arguments: [String(settings.maxFailuresPerUser), String(settings.maxFailuresPerAddress)])
        }
        if let millis = wait.first, millis != 0 {
            throw APIError.tooManyRequests(
                "too many failed sign-ins; try again later",
                retryAfterSeconds: millis > 0 ? Int((millis + 999) / 1000) : settings.windowSeconds,
                code: "login_throttled")
        }
    }

    func recordFailure(username: String, address: String) async throws {
        let script = """
            for _, key in ipairs(KEYS) do
              if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[1]) end
            end
            return 1
            """
        _ = try await guarded {
            try await redis.run(script, keys: keys(username, address), arguments: [String(settings.windowSeconds)])
        }
    }

    func recordSuccess(username: String) async throws {
        _ = try await guarded {
            try await redis.run("return redis.call('DEL', KEYS[1])", keys: [redis.key("login-user", username)],
                                arguments: [])
        }
    }

    private func keys(_ username: String, _ address: String) -> [String] {
        [redis.key("login-user", username), redis.key("login-address", address)]
    }

    private func guarded(_ body: () async throws -> [Int64]) async throws -> [Int64] {
        do {
            return try await body()
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "sign-in is unavailable; retry later",
                           headers: [.retryAfter: "5"])
        }
    }
}
