/// An error from the Postgres layer: a stable `code` to switch on, the server's words, and the SQLSTATE.
///
/// Constraint and encoding violations are kept apart from connection trouble so callers can answer a user
/// ("name taken", "name too long") differently from an outage.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; extensible without breaking callers' `switch`es (they match with `==`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }

        /// The server could not be reached or the connection broke.
        public static let connectionFailed = Code("connectionFailed")
        /// The connection broke while COMMIT was in flight and its outcome could not be learned afterwards.
        public static let commitOutcomeUnknown = Code("commitOutcomeUnknown")
        /// A parameter was refused before it reached the server (a NUL byte in text, a value out of range).
        public static let invalidParameter = Code("invalidParameter")
        /// A unique constraint was violated (SQLSTATE 23505).
        public static let uniqueViolation = Code("uniqueViolation")
        /// A foreign key points nowhere (23503).
        public static let foreignKeyViolation = Code("foreignKeyViolation")
        /// A CHECK constraint failed, e.g. a name longer than the schema allows (23514, 22001).
        public static let checkViolation = Code("checkViolation")
        /// Text that is not valid in the database encoding (22021).
        public static let invalidEncoding = Code("invalidEncoding")
        /// A serialization failure or deadlock that outlived its retries (40001, 40P01).
        public static let serializationFailure = Code("serializationFailure")
        /// The statement ran past `statement_timeout` or was cancelled (57014).
        public static let timeout = Code("timeout")
        /// An advisory lock is held by another session (a relay that is not the leader).
        public static let lockNotAvailable = Code("lockNotAvailable")
        /// The write would take a user past their storage quota.
        public static let quotaExceeded = Code("quotaExceeded")
        /// A row the operation needs does not exist.
        public static let notFound = Code("notFound")
        /// The server returned something this layer did not expect (a column that is not a number...).
        public static let protocolViolation = Code("protocolViolation")
        /// Any other server error; `sqlState` says which.
        public static let server = Code("server")
    }

    public var code: Code
    public var message: String
    /// The five-character SQLSTATE when the server reported the error.
    public var sqlState: String?
    /// The violated constraint's name, when there is one.
    public var constraint: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil, constraint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
    }

    /// Maps a server SQLSTATE to a code, so that callers never parse SQLSTATEs themselves.
    static func code(forSQLState state: String) -> Code {
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514", "22001": return .checkViolation
        case "22021": return .invalidEncoding
        case "22P02": return .invalidParameter
        case "40001", "40P01": return .serializationFailure
        case "57014": return .timeout
        case "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004": return .connectionFailed
        default: return .server
        }
    }

    /// True when running the whole transaction again may succeed (serialization failure, deadlock).
    var isRetryableConflict: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        var text = "PostgresError.\(code): \(message)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let constraint { text += " (constraint \(constraint))" }
        return text
    }
}
