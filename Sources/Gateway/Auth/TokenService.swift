import Foundation
internal import JWTKit

/// Signs and checks FileFlow's JWTs (HS256 with the configured secret). Access tokens are short-lived and carry
/// who the caller is; refresh tokens are long-lived, single-use (see `RefreshTokens`) and can only be exchanged.
/// A `typ` claim keeps one kind from being used as the other.
struct TokenService: Sendable {
    static let issuer = "fileflow"

    struct AccessClaims: JWTPayload, Equatable {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var iss: IssuerClaim
        var typ: String
        var name: String
        var adm: Bool

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try TokenService.check(exp, iss, typ, expected: "access")
        }
    }

    struct RefreshClaims: JWTPayload, Equatable {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var iss: IssuerClaim
        var jti: IDClaim
        /// The login this token descends from; reuse of a spent token revokes the whole family.
        var fam: String
        var typ: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try TokenService.check(exp, iss, typ, expected: "refresh")
        }
    }

    /// What every FileFlow token must satisfy: unexpired, issued by FileFlow, and of the `expected` kind.
    static func check(_ exp: ExpirationClaim, _ iss: IssuerClaim, _ typ: String, expected: String) throws {
        try exp.verifyNotExpired()
        guard iss.value == issuer, typ == expected else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "not a FileFlow \(expected) token")
        }
    }

    /// What login and refresh answer with.
    struct Pair: Encodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    private let keys: JWTKeyCollection
    let accessSeconds: Int
    let refreshSeconds: Int

    init(secret: [UInt8], accessSeconds: Int, refreshSeconds: Int) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.accessSeconds = accessSeconds
        self.refreshSeconds = refreshSeconds
    }

    func issueAccess(for user: AuthenticatedUser) async throws -> String {
        let now = Date()
        return try await keys.sign(AccessClaims(
            sub: SubjectClaim(value: user.id), exp: ExpirationClaim(value: now.addingTimeInterval(Double(accessSeconds))),
            iat: IssuedAtClaim(value: now), iss: IssuerClaim(value: Self.issuer), typ: "access", name: user.username,
            adm: user.isAdmin))
    }

    /// A refresh token with a fresh id in `family`; the caller records the id as live (`RefreshTokens.remember`).
    func issueRefresh(userID: String, family: String) async throws -> RefreshClaims.Signed {
        let now = Date()
        let claims = RefreshClaims(
            sub: SubjectClaim(value: userID), exp: ExpirationClaim(value: now.addingTimeInterval(Double(refreshSeconds))),
            iat: IssuedAtClaim(value: now), iss: IssuerClaim(value: Self.issuer), jti: IDClaim(value: UUID().uuidString),
            fam: family, typ: "refresh")
        return RefreshClaims.Signed(token: try await keys.sign(claims), claims: claims)
    }

    /// The caller of a valid, unexpired access token; nil for anything else (tampered, expired, wrong kind).
    func verifyAccess(_ token: String) async -> AuthenticatedUser? {
        guard token.utf8.count <= 4096, let claims = try? await keys.verify(token, as: AccessClaims.self) else {
            return nil
        }
        return AuthenticatedUser(id: claims.sub.value, username: claims.name, isAdmin: claims.adm)
    }

    func verifyRefresh(_ token: String) async -> RefreshClaims? {
        guard token.utf8.count <= 4096 else { return nil }
        return try? await keys.verify(token, as: RefreshClaims.self)
    }
}

extension TokenService.RefreshClaims {
    struct Signed: Sendable {
        var token: String
        var claims: TokenService.RefreshClaims
    }
}

/// Who is calling, as established by a verified access token.
struct AuthenticatedUser: Sendable, Equatable {
    var id: String
    var username: String
    var isAdmin: Bool
}
