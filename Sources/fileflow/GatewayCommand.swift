import ArgumentParser
import Foundation
import Gateway
import ServiceKit

/// `fileflow gateway`: the REST edge and web UI (CONTRACT.md §2 and §4: HTTP on 8080, REST and metrics on one port).
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "Serve the REST API (/api/v1), TUS uploads, live events and the web UI.")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "HTTP port; 0 picks a free one (printed as 'gateway: listening on <port>').") var port = 8080
    @Option(help: "The metadata service, host:port[,host:port...]; defaults to $FILEFLOW_METADATA_TARGET.")
    var metadata: String?
    @Option(help: "The file-process service; defaults to $FILEFLOW_FILE_PROCESS_TARGET.") var fileProcess: String?
    @Option(help: "The search service; defaults to $FILEFLOW_SEARCH_TARGET.") var search: String?
    @Option(help: "The deletion service; defaults to $FILEFLOW_DELETION_TARGET.") var deletion: String?
    @Option(help: "The notification service; defaults to $FILEFLOW_NOTIFICATION_TARGET.") var notification: String?
    @Option(help: "redis://host:port for rate limits, sign-in throttling and sessions; defaults to $FILEFLOW_REDIS_URL.")
    var redisURL: String?
    @Option(help: "Prefix of the gateway's Redis keys.") var redisPrefix = "fileflow:gateway:"
    @Option(help: "Directory for TUS staging and the generated JWT key; defaults to $FILEFLOW_DATA_DIR/gateway.")
    var dataDir: String?
    @Option(help: "HMAC key for JWTs (at least 32 bytes); defaults to $FILEFLOW_JWT_SECRET, else one kept in the data dir.")
    var jwtSecret: String?
    @Option(help: "Access token lifetime in seconds.") var accessTokenSeconds = 900
    @Option(help: "Refresh token lifetime in seconds.") var refreshTokenSeconds = 30 * 24 * 3600
    @Option(help: "Comma-separated admin usernames; defaults to $FILEFLOW_ADMINS.") var admins: String?
    @Option(help: "An origin (scheme://host[:port]) allowed to call the API cross-origin; repeatable; $FILEFLOW_CORS_ORIGINS.")
    var corsOrigin: [String] = []
    @Flag(help: "Count sign-in failures against the last X-Forwarded-For address (only behind a proxy that sets it).")
    var trustForwardedFor = false
    @Option(help: "Requests per second each user may sustain.") var rateLimit: Double = 50
    @Option(help: "Requests each user may send in a burst.") var rateBurst = 200
    @Option(help: "Failed sign-ins per username within the window before 429.") var loginMaxFailures = 10
    @Option(help: "Failed sign-ins per client address within the window before 429.") var loginMaxFailuresPerAddress = 100
    @Option(help: "Sign-in throttling window in seconds.") var loginWindowSeconds = 900
    @Option(help: "Largest upload in bytes (also TUS's Tus-Max-Size).") var maxUploadBytes: UInt64 = 64 << 30
    @Option(help: "Seconds an unfinished TUS upload is kept after its last write.") var tusExpirySeconds = 24 * 3600
    @Option(help: "Seconds between ': ping' comments on idle event streams.") var heartbeatSeconds = 15
    @Option(help: "Event streams a user may hold open at once (then 429); $FILEFLOW_MAX_EVENT_STREAMS_PER_USER or 8.")
    var maxEventStreamsPerUser: Int?
    @Flag(help: "Mark the ff_access cookie Secure even on plain-http requests; or $FILEFLOW_COOKIE_SECURE=true.")
    var secureCookie = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard rateLimit > 0, rateBurst >= 1 else { throw ValidationError("--rate-limit and --rate-burst must be positive") }
        guard heartbeatSeconds >= 1, tusExpirySeconds >= 1, accessTokenSeconds >= 1, refreshTokenSeconds >= 1 else {
            throw ValidationError("durations must be at least 1 second")
        }
        if let maxEventStreamsPerUser, maxEventStreamsPerUser < 1 {
            throw ValidationError("--max-event-streams-per-user must be at least 1")
        }
    }

    func run() async throws {
        let telemetry = ServiceTelemetry.bootstrap(service: "gateway")
        let environment = ProcessInfo.processInfo.environment
        guard let redis = redisURL ?? environment["FILEFLOW_REDIS_URL"], !redis.isEmpty else {
            throw ValidationError("no Redis: pass --redis-url or set FILEFLOW_REDIS_URL")
        }
        let directory = dataDir ?? URL(fileURLWithPath: environment["FILEFLOW_DATA_DIR"] ?? ".fileflow/data")
            .appendingPathComponent("gateway").path
        let secret = try JWTSecret.resolve(configured: jwtSecret ?? environment["FILEFLOW_JWT_SECRET"],
                                           dataDirectory: directory)

        var configuration = GatewayConfiguration(redisURL: redis, dataDirectory: directory, jwtSecret: secret)
        configuration.host = host
        configuration.port = port
        func target(_ flag: String?, _ name: String, _ fallback: String) -> String {
            flag ?? environment["FILEFLOW_\(name)_TARGET"] ?? fallback
        }
        configuration.targets.metadata = target(metadata, "METADATA", "127.0.0.1:7101")
        configuration.targets.fileProcess = target(fileProcess, "FILE_PROCESS", "127.0.0.1:7102")
        configuration.targets.search = target(search, "SEARCH", "127.0.0.1:7103")
        configuration.targets.deletion = target(deletion, "DELETION", "127.0.0.1:7104")
        configuration.targets.notification = target(notification, "NOTIFICATION", "127.0.0.1:7105")
        configuration.redisPrefix = redisPrefix
        configuration.accessTokenSeconds = accessTokenSeconds
        configuration.refreshTokenSeconds = refreshTokenSeconds
        configuration.admins = administratorNames(admins)
        configuration.corsOrigins = corsOrigin.isEmpty ? commaSeparated(environment["FILEFLOW_CORS_ORIGINS"]) : corsOrigin
        configuration.trustForwardedFor = trustForwardedFor
        configuration.rateLimit.rate = rateLimit
        configuration.rateLimit.burst = rateBurst
        configuration.loginThrottle.maxFailuresPerUser = loginMaxFailures
        configuration.loginThrottle.maxFailuresPerAddress = loginMaxFailuresPerAddress
        configuration.loginThrottle.windowSeconds = loginWindowSeconds
        configuration.maxUploadBytes = maxUploadBytes
        configuration.tusExpirySeconds = tusExpirySeconds
        configuration.heartbeatSeconds = heartbeatSeconds
        if let streams = try maxEventStreamsPerUser
            ?? Self.positiveInteger(environment, "FILEFLOW_MAX_EVENT_STREAMS_PER_USER")
        {
            configuration.maxEventStreamsPerUser = streams
        }
        configuration.secureCookie = try secureCookie || Self.boolean(environment, "FILEFLOW_COOKIE_SECURE")
        try await Gateway(configuration: configuration, telemetry: telemetry).run()
    }

    /// An environment variable holding a whole number of at least 1, nil when unset; anything else is refused.
    private static func positiveInteger(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 1 else { throw ValidationError("\(name) must be a whole number >= 1") }
        return value
    }

    /// An environment variable holding true/false (also 1/0, yes/no), false when unset; anything else is refused.
    private static func boolean(_ environment: [String: String], _ name: String) throws -> Bool {
        switch environment[name]?.lowercased() {
        case nil, "", "false", "0", "no": return false
        case "true", "1", "yes": return true
        default: throw ValidationError("\(name) must be true or false")
        }
    }
}
