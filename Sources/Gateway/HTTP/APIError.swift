internal import Hummingbird

/// An error a client sees: a status and `{"error": {"code", "message"}}` (CONTRACT.md §4), plus any headers the
/// status calls for (`Retry-After`, `WWW-Authenticate`, ...). Messages never carry internals.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    var description: String { "\(status.code) \(code): \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status, ErrorBody(error: .init(code: code, message: message)))
        response.headers.append(contentsOf: headers)
        return response
    }

    static func invalid(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(.badRequest, code, message)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    /// 401 with the `WWW-Authenticate` challenge RFC 6750 asks for.
    static func unauthenticated(_ message: String, code: String = "unauthenticated") -> APIError {
        APIError(.unauthorized, code, message, headers: [.wwwAuthenticate: "Bearer realm=\"fileflow\""])
    }

    static func tooManyRequests(_ message: String, retryAfterSeconds: Int, code: String = "rate_limited") -> APIError {
        APIError(.tooManyRequests, code, message, headers: [.retryAfter: String(max(1, retryAfterSeconds))])
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes")
    }
}

struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: String
        var message: String
    }

    var error: Detail
}
