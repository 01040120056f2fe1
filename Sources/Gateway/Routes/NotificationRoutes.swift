internal import FlowMessages
internal import Hummingbird

/// The caller's stored notifications (kept while they were offline) and marking them read.
extension GatewayAPI {
    struct NotificationList: Encodable {
        var notifications: [NotificationRepresentation]
    }

    func registerNotifications(on router: Router<GatewayContext>) {
        router.get("/api/v1/notifications") { request, _ in
            let caller = try await self.caller(request)
            let query = try QueryParameters(request)
            var list = Fileflow_V1_ListNotificationsRequest()
            list.userID = caller.id
            list.unreadOnly = try query.boolean("unread_only")
            list.limit = UInt32(try query.integer("limit", in: 1...500, default: 50))
            let response = try await self.mesh.notification.call(
                Fileflow_V1_NotificationService.Method.List.self, list, for: caller.id)
            return JSONResponse.make(
                .ok, NotificationList(notifications: response.notifications.compactMap(NotificationRepresentation.init)))
        }
        router.post("/api/v1/notifications/:id/read") { request, context in
            let caller = try await self.caller(request)
            var mark = Fileflow_V1_MarkReadRequest()
            mark.userID = caller.id
            mark.notificationID = try RequestValues.id(context, "id")
            _ = try await self.mesh.notification.call(
                Fileflow_V1_NotificationService.Method.MarkRead.self, mark, for: caller.id)
            return JSONResponse.noContent()
        }
    }
}
