internal import Hummingbird

/// Headers every response carries: a strict Content-Security-Policy (the web UI loads only its own files), and
/// no sniffing, framing or referrers.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = GatewayContext

    static let contentSecurityPolicy =
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }
}
