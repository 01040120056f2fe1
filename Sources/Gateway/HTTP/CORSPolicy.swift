internal import Hummingbird

/// The explicit CORS policy: the web UI is served from the gateway itself (same origin, no CORS needed); other
/// origins are refused unless configured (`--cors-origin`). For an allowed origin, preflights answer with the
/// methods and headers the API and TUS use, and responses expose the headers clients read. Credentials (the
/// cookie) are never allowed cross-origin: such clients send Bearer tokens.
struct CORSPolicy: RouterMiddleware {
    typealias Context = GatewayContext

    let allowedOrigins: Set<String>

    static let allowMethods = "GET, POST, PATCH, DELETE, HEAD, OPTIONS"
    static let allowHeaders = [
        "Authorization", "Content-Type", "X-File-Name", "Idempotency-Key", "Range", "If-None-Match", "If-Range",
        "Last-Event-ID", "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Checksum",
        "Upload-Defer-Length", "X-HTTP-Method-Override",
    ].joined(separator: ", ")
    static let exposeHeaders = [
        "Location", "ETag", "Content-Range", "Content-Disposition", "Retry-After", "X-File-Id", "Tus-Resumable",
        "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length",
        "Upload-Expires", "Upload-Metadata",
    ].joined(separator: ", ")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = allowedOrigins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else {
                return try APIError(.forbidden, "cors_origin_denied", "origin \(origin) may not call this API")
                    .response(from: request, context: context)
            }
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: Self.allowMethods,
                .accessControlAllowHeaders: Self.allowHeaders, .accessControlMaxAge: "600", .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[values: .vary].append("Origin")
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
        }
        return response
    }
}
