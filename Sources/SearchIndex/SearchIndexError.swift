/// Errors thrown by the index: I/O failures, corrupt files, and queries it refuses.
///
/// A struct with an extensible `Code` (house style, like `RPCError`) so callers can map codes to statuses while
/// the message carries the detail. Query errors are the user's fault (map to 400); the rest are the server's.
public struct SearchIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        public static let io = Code(name: "io")
        public static let corrupt = Code(name: "corrupt")
        public static let invalidQuery = Code(name: "invalidQuery")
        public static let invalidDocument = Code(name: "invalidDocument")
        /// The directory holds an index written with other analyzer settings: reindex into a new directory.
        public static let incompatible = Code(name: "incompatible")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func io(_ message: String) -> SearchIndexError { .init(code: .io, message: message) }
    static func corrupt(_ message: String) -> SearchIndexError { .init(code: .corrupt, message: message) }
    static func invalidQuery(_ message: String) -> SearchIndexError { .init(code: .invalidQuery, message: message) }
}
