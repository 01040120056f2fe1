import FlowMessages
import Foundation
import MeshRPC
import PostgresStore
import ServiceKit

extension NotificationService {
    /// Sends a transient notification (upload progress, say) to the user's open streams on every replica, through
    /// Postgres `NOTIFY`; nothing is stored. The service sets its id and time, sequence 0 and unread; the kind
    /// must be a known one, and the whole message at most `FeedSignal.transientBytes` encoded.
    func publish(_ request: Fileflow_V1_Notification, caller: Caller) async throws -> Fileflow_V1_Notification {
        var notification = request
        notification.userID = try user(request.userID, caller: caller)
        switch request.kind {
        case .unspecified, .UNRECOGNIZED: throw RPCError.invalid("kind must be a known NOTIFICATION_KIND")
        default: break
        }
        if !request.fileID.isEmpty { notification.fileID = try requireID(request.fileID, "file_id") }
        notification.notificationID = newUUID()
        notification.sequence = 0
        notification.read = false
        notification.createdAt = Google_Protobuf_Timestamp(micros: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let size = notification.serializedBytes().count
        guard size <= FeedSignal.transientBytes else {
            throw RPCError.invalid("a transient notification is \(size) bytes encoded; at most \(FeedSignal.transientBytes)")
        }
        try await store.notifyNotificationListeners(payload: FeedSignal.transient(notification).payload)
        return notification
    }
}
