/// Everything the gateway is configured with; `fileflow gateway` fills it from flags and the environment.
public struct GatewayConfiguration: Sendable {
    /// `host:port` of each service (a comma-separated list balances over several).
    public struct Targets: Sendable {
        public var metadata = "127.0.0.1:7101"
        public var fileProcess = "127.0.0.1:7102"
        public var search = "127.0.0.1:7103"
        public var deletion = "127.0.0.1:7104"
        public var notification = "127.0.0.1:7105"

        public init() {}
    }

    /// Token bucket per user: `rate` requests per second sustained, bursts of `burst`.
    public struct RateLimit: Sendable {
        public var rate: Double = 50
        public var burst: Int = 200

        public init() {}
    }

    /// Failed sign-ins tolerated within `windowSeconds`, per username and per client address.
    public struct LoginThrottle: Sendable {
        public var maxFailuresPerUser = 10
        public var maxFailuresPerAddress = 100
        public var windowSeconds = 900

        public init() {}
    }

    public var host = "127.0.0.1"
    /// 0 picks a free port (printed once bound).
    public var port = 8080
    public var targets = Targets()
    /// `redis://host:port`: rate limits, login throttling and refresh-token rotation live there.
    public var redisURL: String
    /// Prefix of every Redis key the gateway writes, so that deployments (or tests) can share one Redis.
    public var redisPrefix = "fileflow:gateway:"
    /// Where TUS uploads are staged; they survive restarts.
    public var dataDirectory: String
    /// HMAC-SHA256 key for access and refresh tokens.
    public var jwtSecret: [UInt8]
    public var accessTokenSeconds = 900
    public var refreshTokenSeconds = 30 * 24 * 3600
    /// Usernames with access to `/api/v1/admin/*` (besides users flagged admin in the metadata service).
    public var admins: Set<String> = []
    /// Origins (scheme://host[:port]) other than the gateway's own that browsers may call the API from.
    public var corsOrigins: [String] = []
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a proxy that sets it).
    public var trustForwardedFor = false
    public var rateLimit = RateLimit()
    public var loginThrottle = LoginThrottle()
    /// Largest file accepted by any upload route (also TUS's `Tus-Max-Size`).
    public var maxUploadBytes: UInt64 = 64 << 30
    /// Largest JSON request body; larger ones get 413 before they are read.
    public var maxJSONBytes = 1 << 20
    /// How long an unfinished TUS upload is kept after its last write.
    public var tusExpirySeconds = 24 * 3600
    /// Interval of the `: ping` comment on idle event streams.
    public var heartbeatSeconds = 15
    /// Event streams (`/api/v1/events`) one user may hold open in this process at once; one more is 429.
    public var maxEventStreamsPerUser = 8
    /// Mark the `ff_access` cookie `Secure` on every response, not only on requests a proxy reports as HTTPS
    /// (`X-Forwarded-Proto: https`, honoured without `trustForwardedFor`: it can only add `Secure`).
    public var secureCookie = false

    public init(redisURL: String, dataDirectory: String, jwtSecret: [UInt8]) {
        self.redisURL = redisURL
        self.dataDirectory = dataDirectory
        self.jwtSecret = jwtSecret
    }
}
