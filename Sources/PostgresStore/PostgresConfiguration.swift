/// How to reach Postgres and how patient to be with it.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI, `postgresql://user@host:port/db`.
    public var url: String
    /// Connections the pool opens at most; each runs one statement at a time.
    public var maxConnections: Int
    /// Server-side `statement_timeout`, so a runaway query is cancelled by Postgres itself.
    public var statementTimeoutMillis: Int
    /// How long to keep retrying to reach the server (e.g. across a restart) before failing a request.
    public var reconnectPatienceMillis: Int
    /// How many times a transaction is re-run after a serialization failure or deadlock.
    public var maxConflictRetries: Int
    /// What `pg_stat_activity` and `pg_locks` show for our sessions, so an operator can tell which process holds
    /// what (letters, digits, `-` and `_` only: it goes into the URL as is).
    public var applicationName = "fileflow"

    public init(
        url: String,
        maxConnections: Int = 8,
        statementTimeoutMillis: Int = 30_000,
        reconnectPatienceMillis: Int = 15_000,
        maxConflictRetries: Int = 10
    ) {
        self.url = url
        self.maxConnections = maxConnections
        self.statementTimeoutMillis = statementTimeoutMillis
        self.reconnectPatienceMillis = reconnectPatienceMillis
        self.maxConflictRetries = maxConflictRetries
    }

    /// The URL with our session settings appended as libpq `options`, plus a connect timeout and TCP keepalives
    /// so a silently dead server is noticed.
    var conninfo: String {
        let separator = url.contains("?") ? "&" : "?"
        let options = "-c%20statement_timeout%3D\(statementTimeoutMillis)%20-c%20lock_timeout%3D\(statementTimeoutMillis)"
        return url + separator + "connect_timeout=5&keepalives=1&keepalives_idle=10"
            + "&application_name=\(applicationName)"
            + "&options=\(options)"
    }
}
