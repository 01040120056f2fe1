import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

extension MetadataService {
    /// Grants read or write on the caller's file to another user, announced on `notifications` (the contract names
    /// no share topic; notification and search both consume this one).
    func shareFile(_ request: Fileflow_V1_ShareFileRequest, caller: Caller) async throws -> Fileflow_V1_Share {
        let (file, permission) = try await visibleFile(request.fileID, caller: caller)
        guard request.permission == .read || request.permission == .write else {
            throw RPCError.invalid("permission must be PERMISSION_READ or PERMISSION_WRITE")
        }
        let target = try await recipient(request.username, owner: file.ownerID)
        guard permission == 3 else { throw RPCError(code: .permissionDenied, message: "only the owner can share") }
        let announced = shareEvent(file: file, userID: target.userID, permission: request.permission, revoked: false)
        guard try await store.share(
            fileID: file.fileID, ownerID: file.ownerID, with: target.userID,
            permission: Int(request.permission.rawValue), events: [announced])
        else { throw RPCError.notFound("file \(file.fileID) not found") }
        await invalidate(fileID: file.fileID)
        guard let share = try await store.shares(fileID: file.fileID).first(where: { $0.userID == target.userID }) else {
            throw RPCError(code: .aborted, message: "the share was revoked concurrently")
        }
        return Fileflow_V1_Share(share)
    }

    func revokeShare(_ request: Fileflow_V1_RevokeShareRequest, caller: Caller) async throws
        -> Google_Protobuf_Empty
    {
        let (file, permission) = try await visibleFile(request.fileID, caller: caller)
        let target = try await recipient(request.username, owner: file.ownerID)
        guard permission == 3 else { throw RPCError(code: .permissionDenied, message: "only the owner can revoke") }
        let announced = shareEvent(file: file, userID: target.userID, permission: .unspecified, revoked: true)
        guard try await store.unshare(fileID: file.fileID, ownerID: file.ownerID, from: target.userID,
                                      events: [announced])
        else { throw RPCError.notFound("\(request.username) has no share of this file") }
        await invalidate(fileID: file.fileID)
        return Google_Protobuf_Empty()
    }

    /// Who a file is shared with; only its owner may ask.
    func listShares(_ request: Fileflow_V1_ListSharesRequest, caller: Caller) async throws
        -> Fileflow_V1_ListSharesResponse
    {
        let (file, permission) = try await visibleFile(request.fileID, caller: caller)
        guard permission == 3 else { throw RPCError(code: .permissionDenied, message: "only the owner sees shares") }
        var response = Fileflow_V1_ListSharesResponse()
        response.shares = try await store.shares(fileID: file.fileID).map(Fileflow_V1_Share.init)
        return response
    }

    private func recipient(_ username: String, owner: String) async throws -> UserRecord {
        guard !username.isEmpty else { throw RPCError.invalid("username must not be empty") }
        guard username.utf8.count <= FileFlowStore.Limits.usernameBytes else {
            throw RPCError.invalid("username is too long")
        }
        guard let user = try await store.user(username: username) else {
            throw RPCError.notFound("no user named \(username)")
        }
        guard user.userID != owner else { throw RPCError.invalid("a file cannot be shared with its owner") }
        return user
    }

    private func shareEvent(file: FileRecord, userID: String, permission: Fileflow_V1_Permission, revoked: Bool)
        -> OutboxMessage
    {
        event(topic: "notifications", fileID: file.fileID, actor: file.ownerID) { event in
            var shared = Fileflow_V1_FileShared()
            shared.ownerID = file.ownerID
            shared.userID = userID
            shared.permission = permission
            shared.revoked = revoked
            event.shared = shared
        }
    }
}
