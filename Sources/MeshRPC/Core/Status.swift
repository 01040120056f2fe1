/// The outcome of an RPC as sent in trailers: a code (OK included) and a message.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public var code: RPCError.Code
    public var message: String

    public init(code: RPCError.Code, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}
