/// FileFlow's tables behind typed methods: every statement bound, every write in a retried transaction.
///
/// Session-level variants (`extension PostgresSession`) let a caller compose several writes, and the outbox
/// rows announcing them, into one transaction; the methods here wrap one such unit each.
public final class FileFlowStore: Sendable {
    public let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// Limits the schema enforces too; checked here first so callers get a clear message.
    public enum Limits {
        public static let nameBytes = 1024
        public static let usernameBytes = 256
        public static let titleBytes = 1024
        public static let bodyBytes = 16384
        public static let extractedTextBytes = 1 << 20
        public static let reasonBytes = 4096
    }

    static func requireLength(_ value: String, _ field: String, max: Int, allowEmpty: Bool = false) throws {
        let count = value.utf8.count
        if count > max { throw PostgresError(.checkViolation, "\(field) is \(count) bytes; at most \(max) are allowed") }
        if count == 0 && !allowEmpty { throw PostgresError(.checkViolation, "\(field) must not be empty") }
    }
}

/// `timestamptz` as microseconds since the epoch, the form the records carry.
func micros(_ column: String) -> String { "(extract(epoch from \(column)) * 1000000)::int8" }
