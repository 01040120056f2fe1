internal import Hummingbird
internal import Logging
internal import MeshRPC
internal import NIOHTTP1

/// Turns whatever a route throws into the contract's JSON error: `APIError`s as they are, RPC failures by their
/// status, Hummingbird's own errors (unknown route, bad percent-encoding) by theirs, and anything else into a 500
/// that says nothing about internals (the cause goes to the log). A broken request stream (the client went away
/// mid-body) is passed on for Hummingbird to close the connection: there is nobody to answer.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPParserError {
            logger.info("request body broke off", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw error
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as RPCError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let original = try error.response(from: request, context: context)
            var translated = try Self.translate(error.status).response(from: request, context: context)
            for field in original.headers where field.name != .contentType && field.name != .contentLength {
                translated.headers.append(field)
            }
            return translated
        } catch {
            logger.error("request failed", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
            return try APIError(.internalServerError, "internal", "internal error")
                .response(from: request, context: context)
        }
    }

    private static func translate(_ status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound: .notFound("no such route")
        case .contentTooLarge: APIError(.contentTooLarge, "body_too_large", "the request body is too large")
        case .badRequest: .invalid("the request is malformed")
        case .methodNotAllowed: APIError(.methodNotAllowed, "method_not_allowed", "method not allowed")
        default: APIError(status, "http_\(status.code)", status.reasonPhrase)
        }
    }
}
