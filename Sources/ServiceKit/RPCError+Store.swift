import Foundation
public import MeshRPC
import MetadataCache
import PostgresStore

extension RPCError {
    /// The status a store or cache failure answers with: the caller's mistakes map to client codes, outages to
    /// UNAVAILABLE (worth retrying), everything else to INTERNAL without leaking SQL.
    public static func from(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as PostgresError:
            switch error.code {
            case .checkViolation, .invalidParameter, .invalidEncoding:
                return RPCError(code: .invalidArgument, message: error.message)
            case .uniqueViolation: return RPCError(code: .alreadyExists, message: error.message)
            case .notFound, .foreignKeyViolation: return RPCError(code: .notFound, message: error.message)
            case .quotaExceeded: return RPCError(code: .resourceExhausted, message: error.message)
            case .connectionFailed, .timeout, .commitOutcomeUnknown:
                return RPCError(code: .unavailable, message: "database unavailable: \(error.message)")
            case .serializationFailure: return RPCError(code: .aborted, message: error.message)
            default: return RPCError(code: .internalError, message: "database error", cause: error)
            }
        case let error as CacheError:
            return RPCError(code: .unavailable, message: "cache unavailable: \(error.message)")
        default:
            return RPCError(code: .internalError, message: "internal error", cause: error)
        }
    }

    public static func invalid(_ message: String) -> RPCError { RPCError(code: .invalidArgument, message: message) }
    public static func notFound(_ message: String) -> RPCError { RPCError(code: .notFound, message: message) }
}

/// Ids are UUIDs; checking the form first turns a malformed id into INVALID_ARGUMENT instead of a SQL error.
/// Returns the canonical lower-case form Postgres prints, so ids compare equal as strings.
public func requireID(_ value: String, _ field: String) throws -> String {
    guard !value.isEmpty else { throw RPCError.invalid("\(field) is required") }
    guard value.utf8.count == 36, let uuid = UUID(uuidString: value) else {
        throw RPCError.invalid("\(field) is not a UUID")
    }
    return uuid.uuidString.lowercased()
}
