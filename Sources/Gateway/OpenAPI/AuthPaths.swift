/// OpenAPI paths: accounts, sessions and the caller's profile.
enum AuthPaths {
    typealias D = OpenAPIDocument
    typealias S = OpenAPISchemas

    static let tokens = D.response(
        "a token pair; also sets the ff_access HttpOnly SameSite=Strict cookie", S.ref("TokenPair"),
        headers: [("Set-Cookie", D.header(
            "ff_access=<access token>; Path=/; Max-Age=<expires_in>; HttpOnly; SameSite=Strict" + secureNote))])

    static let cleared = D.header("ff_access=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + secureNote)

    static let secureNote = """
        ; plus Secure when the request reached a proxy over HTTPS (X-Forwarded-Proto: https) or the gateway is \
        configured so (FILEFLOW_COOKIE_SECURE=true, --secure-cookie)
        """

    static var all: [(String, JSONValue)] {
        [
            ("/api/v1/auth/register", ["post": D.operation(
                "Create an account", tag: "auth", id: "register", authenticated: false,
                body: D.jsonBody("RegisterRequest"),
                responses: [
                    ("201", D.response("created", S.ref("Registered"))),
                    ("400", D.error("malformed input or a weak password")), ("409", D.error("username taken")),
                    D.tooLarge, D.unsupported,
                ])]),
            ("/api/v1/auth/login", ["post": D.operation(
                "Sign in", tag: "auth", id: "login", authenticated: false, body: D.jsonBody("LoginRequest"),
                responses: [
                    ("200", tokens), D.badRequest, ("401", D.error("username or password does not match")),
                    ("429", D.response("too many failed sign-ins for this username or address", S.ref("Error"),
                                       headers: [D.retryAfter])),
                    D.tooLarge, D.unsupported,
                ])]),
            ("/api/v1/auth/refresh", ["post": D.operation(
                "Exchange a refresh token (single use) for a new pair", tag: "auth", id: "refresh",
                authenticated: false, body: D.jsonBody("RefreshRequest"),
                responses: [
                    ("200", tokens), D.badRequest,
                    ("401", D.error("invalid, expired or already used refresh token (reuse revokes the session)")),
                    D.tooLarge, D.unsupported,
                ])]),
            ("/api/v1/auth/logout", ["post": D.operation(
                "Sign out: clear the cookie and revoke the refresh token's session", tag: "auth", id: "logout",
                authenticated: false, body: D.jsonBody("LogoutRequest", required: false),
                responses: [
                    ("204", D.response("signed out", headers: [("Set-Cookie", cleared)])),
                    D.badRequest, D.tooLarge, D.unsupported,
                ])]),
            ("/api/v1/users/me", [
                "get": D.operation("The caller's profile and quota", tag: "users", id: "getMe",
                                   responses: [("200", D.response("profile", S.ref("Profile")))]),
                "patch": D.operation(
                    "Change email or display name", tag: "users", id: "updateMe", body: D.jsonBody("ProfileUpdate"),
                    responses: [("200", D.response("profile", S.ref("Profile"))), D.badRequest, D.tooLarge, D.unsupported]),
            ]),
        ]
    }
}
