import Foundation

/// Refresh-token rotation (OAuth 2.0 Security BCP §4.14): every refresh token is good for one exchange. Live token
/// ids are kept in Redis until they expire; exchanging one deletes it and records its successor in one script.
/// Presenting a token that was already spent means it leaked (or was replayed), so its whole family — every token
/// descending from the same sign-in — is revoked.
struct RefreshTokens: Sendable {
    let redis: RedisState
    let lifetimeSeconds: Int

    /// Records a newly issued token id as live.
    func remember(_ claims: TokenService.RefreshClaims) async throws {
        _ = try await redis.run(
            "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]); return 1",
            keys: [tokenKey(claims.jti.value)], arguments: [claims.fam, String(lifetimeSeconds)])
    }

    /// Spends `presented` and makes `successor` live; false when `presented` was already spent or its family
    /// revoked (then nothing is made live, and the family is revoked).
    func rotate(_ presented: TokenService.RefreshClaims, to successor: TokenService.RefreshClaims) async throws -> Bool {
        let script = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            if redis.call('DEL', KEYS[1]) == 1 then
              redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[2])
              return 1
            end
            redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
            return 0
            """
        let result = try await redis.run(
            script,
            keys: [tokenKey(presented.jti.value), familyKey(presented.fam), tokenKey(successor.jti.value)],
            arguments: [successor.fam, String(lifetimeSeconds)])
        return result.first == 1
    }

    /// Revokes every token of the family (sign-out).
    func revokeFamily(of claims: TokenService.RefreshClaims) async throws {
        _ = try await redis.run(
            "redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]); redis.call('DEL', KEYS[2]); return 1",
            keys: [familyKey(claims.fam), tokenKey(claims.jti.value)], arguments: [String(lifetimeSeconds)])
    }

    private func tokenKey(_ id: String) -> String { redis.key("refresh", id) }
    private func familyKey(_ family: String) -> String { redis.key("refresh-family-revoked", family) }
}
