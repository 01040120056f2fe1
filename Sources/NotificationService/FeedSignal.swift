import FlowMessages
import Foundation
import ServiceKit

/// What travels on the notification channel, so that every replica hears it: a user id when a stored
/// notification was inserted (Migration 0002's trigger sends it), or `t:` and a transient notification
/// (`Publish`) in base64.
enum FeedSignal: Sendable, Equatable {
    case stored(userID: String)
    case transient(Fileflow_V1_Notification)

    /// Postgres carries payloads below 8000 bytes; a transient notification's encoding must fit in this much.
    static let transientBytes = 4096
    private static let transientPrefix = "t:"

    /// Nil for a payload that is not one of ours (anyone with access may NOTIFY the channel).
    init?(payload: String) {
        if payload.hasPrefix(Self.transientPrefix) {
            guard let bytes = Data(base64Encoded: String(payload.dropFirst(Self.transientPrefix.count))),
                bytes.count <= Self.transientBytes,
                let notification = try? Fileflow_V1_Notification(serializedBytes: bytes),
                let userID = try? requireID(notification.userID, "user_id"), userID == notification.userID
            else { return nil }
            self = .transient(notification)
        } else {
            guard let userID = try? requireID(payload, "user_id") else { return nil }
            self = .stored(userID: userID)
        }
    }

    var payload: String {
        switch self {
        case .stored(let userID): userID
        case .transient(let notification):
            Self.transientPrefix + Data(notification.serializedBytes()).base64EncodedString()
        }
    }

    var userID: String {
        switch self {
        case .stored(let userID): userID
        case .transient(let notification): notification.userID
        }
    }
}
