import Foundation
internal import Hummingbird
internal import Logging

/// The web UI: the files of `Public/` (bundled as a resource) for any GET outside `/api/`, `index.html` for `/`.
struct StaticFiles: RouterMiddleware {
    typealias Context = GatewayContext

    private let files: FileMiddleware<GatewayContext, LocalFileSystem>?

    init(logger: Logger) {
        if let root = Bundle.module.resourceURL?.appendingPathComponent("Public").path {
            files = FileMiddleware(root, cacheControl: .init([(MediaType(type: .any), [.noCache])]),
                                   searchForIndexHtml: true, logger: logger)
        } else {
            files = nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let files, !request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}
