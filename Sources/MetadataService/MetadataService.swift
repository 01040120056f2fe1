import FlowMessages
import Foundation
public import MeshRPC
import MeshRPCProto
public import MetadataCache
public import PostgresStore
public import ServiceKit

/// `fileflow.v1.MetadataService`: users, files, versions, shares, quotas and jobs over `FileFlowStore`, with file
/// reads and permission checks through the Redis `MetadataCache` when one is configured.
///
/// Who is asking comes from the `fileflow-caller-id` metadata the gateway sets. File RPCs need it and answer
/// NOT_FOUND for a file the caller may not see (ids leak nothing). Mesh-internal RPCs (`UpdateFileStatus`,
/// `GetJob`) may come without it from the processing service; with it, they check it like the others.
/// `GetSystemStats` is for administrators only.
public final class MetadataService: Sendable {
    let store: FileFlowStore
    let cache: MetadataCache?
    let hasher: PasswordHasher
    /// Who may read system statistics.
    let administrators: Administrators

    public init(
        store: FileFlowStore, cache: MetadataCache?, hasher: PasswordHasher = PasswordHasher(),
        administrators: Administrators = Administrators()
    ) {
        self.store = store
        self.cache = cache
        self.hasher = hasher
        self.administrators = administrators
    }

    /// Adds every MetadataService method to `router`.
    public func register(in router: inout RPCRouter) {
        typealias M = Fileflow_V1_MetadataService.Method
        router.unary(M.CreateUser.self, withCaller: createUser)
        router.unary(M.VerifyCredentials.self, withCaller: verifyCredentials)
        router.unary(M.GetUser.self, withCaller: getUser)
        router.unary(M.UpdateUser.self, withCaller: updateUser)
        router.unary(M.ReserveUpload.self, withCaller: reserveUpload)
        router.unary(M.CommitFile.self, withCaller: commitFile)
        router.unary(M.GetFile.self, withCaller: getFile)
        router.unary(M.ListFiles.self, withCaller: listFiles)
        router.unary(M.ListSharedWithMe.self, withCaller: listSharedWithMe)
        router.unary(M.UpdateFileStatus.self, withCaller: updateFileStatus)
        router.unary(M.ShareFile.self, withCaller: shareFile)
        router.unary(M.RevokeShare.self, withCaller: revokeShare)
        router.unary(M.ListShares.self, withCaller: listShares)
        router.unary(M.GetQuota.self, withCaller: getQuota)
        router.unary(M.GetJob.self, withCaller: getJob)
        router.unary(M.GetSystemStats.self, withCaller: getSystemStats)
    }

    // MARK: Shared helpers

    /// The caller's permission on a live file (3 owner, 2 write, 1 read), nil when they may not see it.
    func permission(fileID: String, userID: String) async throws -> Int? {
        if let cache { return try await cache.permission(fileID: fileID, userID: userID) }
        return try await store.permission(fileID: fileID, userID: userID)
    }

    func file(id: String) async throws -> FileRecord? {
        if let cache { return try await cache.file(id: id) }
        return try await store.file(id: id)
    }

    /// Call after the transaction that changed the file committed (the cache's delete-after-commit rule).
    func invalidate(fileID: String) async {
        await cache?.invalidate(fileID: fileID)
    }

    /// A file the caller may see, with their permission; NOT_FOUND otherwise (also for trashed files unless
    /// `includeTrashed`, which only the owner may use).
    func visibleFile(_ rawID: String, caller: Caller, includeTrashed: Bool = false) async throws
        -> (file: FileRecord, permission: Int)
    {
        let id = try requireID(rawID, "file_id")
        let user = try caller.required()
        if let permission = try await permission(fileID: id, userID: user), let file = try await file(id: id),
            file.deletedAtMicros == nil
        {
            return (file, permission)
        }
        if includeTrashed, let file = try await store.file(id: id), file.ownerID == user {
            return (file, 3)
        }
        throw RPCError.notFound("file \(id) not found")
    }

    /// A `FileEvent` as an outbox row, keyed by file id (the contract's partitioning key).
    func event(
        id: String = newUUID(), topic: String, fileID: String, actor: String,
        _ fill: (inout Fileflow_V1_FileEvent) -> Void
    ) -> OutboxMessage {
        .fileEvent(id: id, topic: topic, fileID: fileID, actor: actor, fill)
    }
}
