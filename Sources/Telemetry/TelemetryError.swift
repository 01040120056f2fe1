/// Errors raised while setting telemetry up; reporting itself never throws into a request.
public struct TelemetryError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        private let name: String
        public static let invalidEndpoint = Code(name: "invalidEndpoint")
        public static let traceFileUnwritable = Code(name: "traceFileUnwritable")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
