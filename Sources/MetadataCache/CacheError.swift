/// A cache failure. Callers rarely see one: the cache falls back to Postgres when Redis is unavailable.
public struct CacheError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }

        /// Redis could not be reached, or the connection broke.
        public static let unavailable = Code("unavailable")
        /// Redis answered with an error, or something this layer cannot decode.
        public static let badReply = Code("badReply")
        public static let configuration = Code("configuration")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "CacheError.\(code): \(message)" }
}
