internal import Hummingbird

/// Counts every request by route template (never the raw path, so ids do not explode the label set), method and
/// status, and records its latency up to the response head.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let statistics: GatewayStatistics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? (request.uri.path.hasPrefix("/api/") ? "unmatched" : "static")
        statistics.request(route: route, method: request.method.rawValue, status: response.status.code,
                           duration: ContinuousClock.now - start)
        return response
    }
}
