import Foundation
internal import Hummingbird

/// Establishes who calls a protected route: a Bearer access token, or the `ff_access` HttpOnly cookie the web
/// UI's `EventSource` and download links carry. A missing, tampered or expired token is 401. Every authenticated
/// request then takes a token from the caller's rate-limit bucket.
struct Authenticator: Sendable {
    static let cookieName = "ff_access"

    let tokens: TokenService
    let rateLimiter: RateLimiter
    let trustForwardedFor: Bool
    /// Mark the cookie `Secure` whatever the request says (`FILEFLOW_COOKIE_SECURE`).
    let alwaysSecureCookie: Bool

    func require(_ request: Request) async throws -> AuthenticatedUser {
        guard let token = try Self.presentedToken(request) else {
            throw APIError.unauthenticated("sign in first: send Authorization: Bearer <access token>")
        }
        guard let user = await tokens.verifyAccess(token) else {
            throw APIError.unauthenticated("the access token is invalid or expired", code: "invalid_token")
        }
        try await rateLimiter.admit(user.id)
        return user
    }

    /// The header's token when there is an Authorization header (a malformed one is 401, not a fallback to the
    /// cookie), else the cookie's.
    static func presentedToken(_ request: Request) throws -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw APIError.unauthenticated("the Authorization header must be Bearer <token>", code: "invalid_token")
            }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        guard let cookie = request.cookies[cookieName]?.value, !cookie.isEmpty else { return nil }
        return cookie
    }

    /// The address sign-in throttling counts against: the peer, or the proxy-reported client when configured.
    func clientAddress(_ request: Request, context: GatewayContext) -> String {
        if trustForwardedFor, let forwarded = request.headers[.xForwardedFor],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty,
            last.utf8.count <= 64
        {
            return last
        }
        return context.peerAddress
    }

    /// `Set-Cookie` for the access token (login, refresh) or its removal (logout); `Secure` when so configured or
    /// when the request reached the proxy in front of us over HTTPS. Plain http (a loopback gateway) keeps a cookie
    /// without it, which browsers would otherwise refuse to store.
    func cookie(_ token: String?, maxAge: Int, for request: Request) -> String {
        Self.cookie(token, maxAge: maxAge, secure: alwaysSecureCookie || Self.arrivedOverHTTPS(request))
    }

    static func cookie(_ token: String?, maxAge: Int, secure: Bool) -> String {
        var parts = ["\(cookieName)=\(token ?? "")", "Path=/", "Max-Age=\(token == nil ? 0 : maxAge)", "HttpOnly",
                     "SameSite=Strict"]
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// Whether `X-Forwarded-Proto` names https for the client's own hop (its first entry). Unlike the client
    /// address, this needs no trusted proxy: the header can only add `Secure`, so a client that sends it over
    /// plain http merely gets a cookie its own browser will not keep.
    static func arrivedOverHTTPS(_ request: Request) -> Bool {
        guard let forwarded = request.headers[.xForwardedProto],
            let first = forwarded.split(separator: ",", omittingEmptySubsequences: false).first
        else { return false }
        return first.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }
}
