import FlowMessages
public import MeshRPC
import MeshRPCProto
public import PostgresStore
import ServiceKit

/// `fileflow.v1.NotificationService`: the notifications `EventNotifier` stores per user, read with `List` and
/// `MarkRead` by users who were away, and streamed live by `Subscribe` for the gateway's Server-Sent Events,
/// together with the transient ones the gateway raises itself (`Publish`).
///
/// Who asks comes from the `fileflow-caller-id` metadata. Every request names a user (`user_id`, or the caller
/// when left empty); a named caller may act only on their own notifications and gets PERMISSION_DENIED for
/// anyone else's user id, decided before anything is looked up, so the answer reveals nothing about that user.
/// Mesh-internal calls (no caller) may name any user.
public final class NotificationService: Sendable {
    let store: FileFlowStore
    let feed: LiveFeed

    public init(store: FileFlowStore, feed: LiveFeed) {
        self.store = store
        self.feed = feed
    }

    /// Adds every NotificationService method to `router`.
    public func register(in router: inout RPCRouter) {
        typealias M = Fileflow_V1_NotificationService.Method
        router.serverStreaming(M.Subscribe.self) { request, _ in
            do {
                return try await self.subscribe(request.message, caller: try Caller(request.metadata))
            } catch {
                throw RPCError.from(error)
            }
        }
        router.unary(M.List.self, withCaller: list)
        router.unary(M.MarkRead.self, withCaller: markRead)
        router.unary(M.Publish.self, withCaller: publish)
    }

    /// The user a request is about: `user_id`, or the caller when it is empty.
    func user(_ rawID: String, caller: Caller) throws -> String {
        if rawID.isEmpty, let own = caller.userID { return own }
        let userID = try requireID(rawID, "user_id")
        try caller.requireSelf(userID)
        return userID
    }
}
