public import PostgresStore
import MeshRPC

/// Who may call the admin-only RPCs: users flagged `is_admin` in Postgres, and the usernames the operator lists in
/// `FILEFLOW_ADMINS` (`--admins`), which the gateway reads too, so every part of the mesh agrees on who is one.
public struct Administrators: Sendable {
    public let names: Set<String>

    public init(names: Set<String> = []) {
        self.names = names
    }

    /// Returns the caller's user id if they are an administrator: UNAUTHENTICATED without a caller,
    /// PERMISSION_DENIED ("only an administrator may `action`") for anyone else.
    @discardableResult
    public func require(_ caller: Caller, store: FileFlowStore, toDo action: String) async throws -> String {
        let id = try caller.required()
        guard let user = try await store.user(id: id), user.isAdmin || names.contains(user.username) else {
            throw RPCError(code: .permissionDenied, message: "only an administrator may \(action)")
        }
        return id
    }
}
