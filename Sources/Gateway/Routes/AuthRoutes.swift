import Foundation
internal import FlowMessages
internal import Hummingbird

/// Register, sign in, refresh (rotating), sign out.
extension GatewayAPI {
    struct RegisterBody: Decodable {
        var username: String
        var password: String
        var email: String?
    }

    struct LoginBody: Decodable {
        var username: String
        var password: String
    }

    struct RefreshBody: Decodable {
        var refreshToken: String
    }

    struct LogoutBody: Decodable {
        var refreshToken: String?
    }

    struct Registered: Encodable {
        var userID: String
    }

    func registerAuth(on router: Router<GatewayContext>) {
        router.post("/api/v1/auth/register") { request, _ in try await self.signUp(request) }
        router.post("/api/v1/auth/login") { request, context in try await self.signIn(request, context) }
        router.post("/api/v1/auth/refresh") { request, _ in try await self.refresh(request) }
        router.post("/api/v1/auth/logout") { request, _ in try await self.signOut(request) }
    }

    private func signUp(_ request: Request) async throws -> Response {
        let body = try await decode(RegisterBody.self, request)
        try CredentialRules.checkUsername(body.username)
        try CredentialRules.checkPassword(body.password, username: body.username)
        try CredentialRules.checkEmail(body.email ?? "")
        var create = Fileflow_V1_CreateUserRequest()
        create.username = body.username
        create.password = body.password
        create.email = body.email ?? ""
        let user: Fileflow_V1_User
        do {
            user = try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.CreateUser.self, create, for: nil)
        } catch let error as APIError where error.status == .conflict {
            throw APIError(.conflict, "username_taken", "username \(body.username) is taken")
        }
        return JSONResponse.make(.created, Registered(userID: user.userID))
    }

    private func signIn(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let body = try await decode(LoginBody.self, request)
        guard !body.username.isEmpty, body.username.utf8.count <= 256,
            body.password.utf8.count <= CredentialRules.maximumPasswordBytes
        else { throw APIError.invalid("username or password is malformed") }
        let address = authenticator.clientAddress(request, context: context)
        try await loginThrottle.check(username: body.username, address: address)
        var verify = Fileflow_V1_VerifyCredentialsRequest()
        verify.username = body.username
        verify.password = body.password
        let user: Fileflow_V1_User
        do {
            user = try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.VerifyCredentials.self, verify, for: nil)
        } catch let error as APIError where error.status == .unauthorized {
            try await loginThrottle.recordFailure(username: body.username, address: address)
            throw APIError.unauthenticated("username or password does not match", code: "invalid_credentials")
        }
        try await loginThrottle.recordSuccess(username: body.username)
        return try await issueTokens(for: authenticated(user), family: UUIDs.random(), replacing: nil, request: request)
    }

    private func refresh(_ request: Request) async throws -> Response {
        let body = try await decode(RefreshBody.self, request)
        guard let presented = await tokens.verifyRefresh(body.refreshToken) else {
            throw APIError.unauthenticated("the refresh token is invalid or expired", code: "invalid_token")
        }
        var lookup = Fileflow_V1_GetUserRequest()
        lookup.key = .userID(presented.sub.value)
        let user: Fileflow_V1_User
        do {
            user = try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.GetUser.self, lookup, for: nil)
        } catch let error as APIError where error.status == .notFound {
            throw APIError.unauthenticated("the account no longer exists", code: "invalid_token")
        }
        return try await issueTokens(
            for: authenticated(user), family: presented.fam, replacing: presented, request: request)
    }

    private func signOut(_ request: Request) async throws -> Response {
        let body = try await JSONRequest.decodeIfPresent(LogoutBody.self, from: request, limit: configuration.maxJSONBytes)
        if let token = body?.refreshToken, let claims = await tokens.verifyRefresh(token) {
            try await withRedis { try await self.refreshTokens.revokeFamily(of: claims) }
        }
        return JSONResponse.noContent(headers: [.setCookie: authenticator.cookie(nil, maxAge: 0, for: request)])
    }

    /// A new token pair (and the cookie); with `replacing`, the presented refresh token is spent in the same step.
    private func issueTokens(
        for user: AuthenticatedUser, family: String, replacing presented: TokenService.RefreshClaims?, request: Request
    ) async throws -> Response {
        let refresh = try await tokens.issueRefresh(userID: user.id, family: family)
        try await withRedis {
            if let presented {
                guard try await self.refreshTokens.rotate(presented, to: refresh.claims) else {
                    throw APIError.unauthenticated(
                        "the refresh token was already used; sign in again", code: "refresh_token_reused")
                }
            } else {
                try await self.refreshTokens.remember(refresh.claims)
            }
        }
        let access = try await tokens.issueAccess(for: user)
        let pair = TokenService.Pair(accessToken: access, refreshToken: refresh.token, expiresIn: tokens.accessSeconds)
        return JSONResponse.make(
            .ok, pair, headers: [.setCookie: authenticator.cookie(access, maxAge: tokens.accessSeconds, for: request)])
    }

    private func authenticated(_ user: Fileflow_V1_User) -> AuthenticatedUser {
        AuthenticatedUser(
            id: user.userID, username: user.username,
            isAdmin: user.isAdmin || configuration.admins.contains(user.username))
    }

    /// Runs a refresh-token step; Redis being down is 503 (sessions cannot be checked), not 500.
    private func withRedis(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as APIError {
            throw error
        } catch {
            logger.warning("refresh-token store unavailable", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "unavailable", "sessions are unavailable; retry later",
                           headers: [.retryAfter: "5"])
        }
    }
}

enum UUIDs {
    static func random() -> String { UUID().uuidString.lowercased() }
}
