internal import Hummingbird
internal import MeshRPC

extension APIError {
    /// The HTTP answer to a failed mesh call. Client mistakes keep the service's message (it names the field);
    /// server-side failures get a generic one, so no internals leak. RESOURCE_EXHAUSTED from an upload means the
    /// quota (507); elsewhere it means a limit of the request (413).
    init(_ error: RPCError, quotaApplies: Bool = false) {
        switch error.code {
        case .invalidArgument: self.init(.badRequest, "invalid_request", error.message)
        case .outOfRange: self.init(.badRequest, "out_of_range", error.message)
        case .unauthenticated: self = .unauthenticated("authentication failed")
        case .permissionDenied: self.init(.forbidden, "forbidden", error.message)
        case .notFound: self = .notFound(error.message)
        case .alreadyExists: self.init(.conflict, "already_exists", error.message)
        case .failedPrecondition: self.init(.conflict, "failed_precondition", error.message)
        case .aborted: self.init(.conflict, "conflict", "the request conflicted with another change; retry it")
        case .resourceExhausted where quotaApplies:
            self.init(.insufficientStorage, "quota_exceeded", error.message)
        case .resourceExhausted: self.init(.contentTooLarge, "too_large", error.message)
        case .unimplemented: self.init(.notImplemented, "not_implemented", error.message)
        case .unavailable, .cancelled:
            self.init(.serviceUnavailable, "unavailable", "a backing service is unavailable; retry later",
                      headers: [.retryAfter: "1"])
        case .deadlineExceeded: self.init(.gatewayTimeout, "timeout", "a backing service did not answer in time")
        default: self.init(.internalServerError, "internal", "internal error")
        }
    }
}

extension HTTPResponse.Status {
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
