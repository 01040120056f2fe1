/// The error every RPC surfaces: a gRPC status code, a human-readable message, metadata the peer
/// sent with it (trailers) and the lower-layer error that caused it, kept rather than flattened so
/// callers can still see a connection reset or a decoding failure underneath.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A gRPC status code; a struct rather than an enum so unknown codes from a peer survive a round trip.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int

        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let ok = Code(rawValue: 0)
        public static let cancelled = Code(rawValue: 1)
        public static let unknown = Code(rawValue: 2)
        public static let invalidArgument = Code(rawValue: 3)
        public static let deadlineExceeded = Code(rawValue: 4)
        public static let notFound = Code(rawValue: 5)
        public static let alreadyExists = Code(rawValue: 6)
        public static let permissionDenied = Code(rawValue: 7)
        public static let resourceExhausted = Code(rawValue: 8)
        public static let failedPrecondition = Code(rawValue: 9)
        public static let aborted = Code(rawValue: 10)
        public static let outOfRange = Code(rawValue: 11)
        public static let unimplemented = Code(rawValue: 12)
        public static let internalError = Code(rawValue: 13)
        public static let unavailable = Code(rawValue: 14)
        public static let dataLoss = Code(rawValue: 15)
        public static let unauthenticated = Code(rawValue: 16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]

        public var description: String {
            Self.names.indices.contains(rawValue) ? Self.names[rawValue] : "CODE_\(rawValue)"
        }
    }

    public var code: Code
    public var message: String
    /// Trailing metadata that came with (or goes out with) the status.
    public var metadata: Metadata
    /// The underlying error, if a lower layer raised this one.
    public var cause: (any Error)?

    public init(code: Code, message: String, metadata: Metadata = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    /// Converts any error to an `RPCError`: `RPCError`s pass through, cancellation becomes CANCELLED,
    /// anything else UNKNOWN with the original kept as `cause`.
    public init(wrapping error: any Error) {
        if let rpcError = error as? RPCError {
            self = rpcError
        } else if let convertible = error as? any RPCErrorConvertible {
            self = convertible.rpcError
        } else if error is CancellationError {
            self.init(code: .cancelled, message: "The RPC was cancelled.", cause: error)
        } else {
            self.init(code: .unknown, message: "\(error)", cause: error)
        }
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.metadata == rhs.metadata
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(metadata)
    }
}

/// Lets a domain error choose the status it is reported with, instead of UNKNOWN.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
