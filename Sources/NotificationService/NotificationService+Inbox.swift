import FlowMessages
import MeshRPC
import ServiceKit

extension NotificationService {
    static let defaultPageSize = 50
    static let maxPageSize = 500

    /// A page of the user's notifications, newest first: `limit` (0: 50, at most 500) of those before
    /// `before_sequence` (0: the newest), only unread ones when `unread_only`. The next page starts before the
    /// last sequence of this one. An unknown user has none.
    func list(_ request: Fileflow_V1_ListNotificationsRequest, caller: Caller) async throws
        -> Fileflow_V1_ListNotificationsResponse
    {
        let userID = try user(request.userID, caller: caller)
        let limit = request.limit == 0 ? Self.defaultPageSize : min(Int(request.limit), Self.maxPageSize)
        let records = try await store.notifications(
            userID: userID, unreadOnly: request.unreadOnly,
            beforeSequence: request.beforeSequence == 0 ? nil : Int64(clamping: request.beforeSequence), limit: limit)
        var response = Fileflow_V1_ListNotificationsResponse()
        response.notifications = records.map(Fileflow_V1_Notification.init)
        return response
    }

    /// Marks one of the user's notifications read (again is fine); NOT_FOUND for an id that is not theirs.
    func markRead(_ request: Fileflow_V1_MarkReadRequest, caller: Caller) async throws -> Google_Protobuf_Empty {
        let userID = try user(request.userID, caller: caller)
        let notificationID = try requireID(request.notificationID, "notification_id")
        guard try await store.markNotificationRead(userID: userID, notificationID: notificationID) else {
            throw RPCError.notFound("notification \(notificationID) not found")
        }
        return Google_Protobuf_Empty()
    }
}
