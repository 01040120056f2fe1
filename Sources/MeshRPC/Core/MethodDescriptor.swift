/// Names one RPC method: `package.Service` plus `Method`, the `:path` being `/package.Service/Method`.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var service: String
    public var method: String

    public init(service: String, method: String) {
        self.service = service
        self.method = method
    }

    /// Parses a `:path` of the form `/service/method`; nil when it has another shape.
    public init?(path: String) {
        guard path.first == "/" else { return nil }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(service: String(parts[0]), method: String(parts[1]))
    }

    public var path: String { "/\(service)/\(method)" }
    public var description: String { path }
}
