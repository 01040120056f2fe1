import Foundation
internal import Hummingbird
internal import Logging
internal import MetadataCache

/// What the routes share: configuration, the mesh clients, authentication and limits, TUS staging, statistics,
/// open event streams.
/// Route handlers are its methods, grouped by resource in `Routes/`.
final class GatewayAPI: Sendable {
    let configuration: GatewayConfiguration
    let mesh: Mesh
    let tokens: TokenService
    let refreshTokens: RefreshTokens
    let authenticator: Authenticator
    let loginThrottle: LoginThrottle
    let uploads: TusStore
    let statistics: GatewayStatistics
    let eventStreams: EventStreamSlots
    let redis: RedisState
    let logger: Logger
    let openAPI: ByteBuffer
    let metricsText: @Sendable () -> String

    init(configuration: GatewayConfiguration, mesh: Mesh, metricsText: @escaping @Sendable () -> String, logger: Logger)
        async throws
    {
        self.configuration = configuration
        self.metricsText = metricsText
        self.mesh = mesh
        self.logger = logger
        let client = try RedisClient(url: configuration.redisURL, connections: 4, timeoutMillis: 1000)
        redis = RedisState(client: client, prefix: configuration.redisPrefix)
        tokens = await TokenService(
            secret: configuration.jwtSecret, accessSeconds: configuration.accessTokenSeconds,
            refreshSeconds: configuration.refreshTokenSeconds)
        refreshTokens = RefreshTokens(redis: redis, lifetimeSeconds: configuration.refreshTokenSeconds)
        authenticator = Authenticator(
            tokens: tokens,
            rateLimiter: RateLimiter(redis: redis, rate: configuration.rateLimit.rate,
                                     burst: configuration.rateLimit.burst, logger: logger),
            trustForwardedFor: configuration.trustForwardedFor, alwaysSecureCookie: configuration.secureCookie)
        loginThrottle = LoginThrottle(redis: redis, settings: configuration.loginThrottle)
        uploads = try TusStore(
            directory: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("tus").path,
            expirySeconds: configuration.tusExpirySeconds)
        statistics = GatewayStatistics()
        eventStreams = EventStreamSlots(limitPerUser: configuration.maxEventStreamsPerUser)
        openAPI = ByteBuffer(bytes: OpenAPIDocument.json(maxUploadBytes: configuration.maxUploadBytes))
    }

    /// Every route of CONTRACT.md §4 plus the ops endpoints.
    func register(on router: Router<GatewayContext>) {
        registerOps(on: router)
        registerAuth(on: router)
        registerUsers(on: router)
        registerFiles(on: router)
        registerUploads(on: router)
        registerDownloads(on: router)
        registerShares(on: router)
        registerSearch(on: router)
        registerNotifications(on: router)
        registerEvents(on: router)
        registerJobs(on: router)
        registerAdmin(on: router)
        registerTus(on: router)
    }

    /// The authenticated, rate-limited caller of a protected route (401 / 429 otherwise).
    func caller(_ request: Request) async throws -> AuthenticatedUser {
        try await authenticator.require(request)
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try await JSONRequest.decode(type, from: request, limit: configuration.maxJSONBytes)
    }
}
