public import BlockStore
import FlowMessages
import Foundation
public import MeshRPC
import MeshRPCProto
public import MetadataCache
public import PostgresStore
public import ServiceKit

/// `fileflow.v1.DeletionService`: trash, restore, purge after retention, and garbage collection of blocks no
/// version references any more. Every method is idempotent: deleting a trashed file or restoring a live one
/// answers as if it had just happened. Only the owner may delete or restore; a user the file is shared with gets
/// PERMISSION_DENIED, anyone else NOT_FOUND (ids leak nothing).
public final class DeletionService: Sendable {
    let store: FileFlowStore
    let cache: MetadataCache?
    let collector: BlockGarbageCollector
    let retentionMicros: Int64
    /// Who may call Purge.
    let administrators: Administrators

    public init(
        store: FileFlowStore, cache: MetadataCache?, blocks: any BlockStorage, retentionSeconds: Int,
        collectionGraceSeconds: Int, administrators: Administrators = Administrators()
    ) {
        self.store = store
        self.administrators = administrators
        self.cache = cache
        self.collector = BlockGarbageCollector(store: store, blocks: blocks, graceSeconds: collectionGraceSeconds)
        self.retentionMicros = Int64(retentionSeconds) * 1_000_000
    }

    public func register(in router: inout RPCRouter) {
        typealias M = Fileflow_V1_DeletionService.Method
        router.unary(M.Delete.self, withCaller: delete)
        router.unary(M.Restore.self, withCaller: restore)
        router.unary(M.Purge.self, withCaller: purge)
    }

    func delete(_ request: Fileflow_V1_DeleteRequest, caller: Caller) async throws -> Fileflow_V1_DeleteResponse {
        let user = try caller.required()
        var file = try await ownedFile(request.fileID, user: user)
        if file.deletedAtMicros == nil {
            let purgeAfter = Self.now() + retentionMicros
            let event = OutboxMessage.fileEvent(topic: Topic.deletions, fileID: file.fileID, actor: user) { event in
                var deleted = Fileflow_V1_FileDeleted()
                deleted.ownerID = user
                deleted.purgeAfter = Google_Protobuf_Timestamp(micros: purgeAfter)
                event.deleted = deleted
            }
            _ = try await store.setTrashed(fileID: file.fileID, ownerID: user, trashed: true, events: [event])
            await cache?.invalidate(fileID: file.fileID)
            // Re-read: a concurrent delete may have won; either way the file is in the trash now.
            file = try await ownedFile(file.fileID, user: user)
        }
        var response = Fileflow_V1_DeleteResponse()
        response.fileID = file.fileID
        response.purgeAfter = Google_Protobuf_Timestamp(micros: (file.deletedAtMicros ?? Self.now()) + retentionMicros)
        return response
    }

    func restore(_ request: Fileflow_V1_RestoreRequest, caller: Caller) async throws -> Fileflow_V1_FileMetadata {
        let user = try caller.required()
        var file = try await ownedFile(request.fileID, user: user)
        if file.deletedAtMicros != nil {
            let event = OutboxMessage.fileEvent(topic: Topic.deletions, fileID: file.fileID, actor: user) { event in
                var restored = Fileflow_V1_FileRestored()
                restored.ownerID = user
                event.restored = restored
            }
            _ = try await store.setTrashed(fileID: file.fileID, ownerID: user, trashed: false, events: [event])
            await cache?.invalidate(fileID: file.fileID)
            file = try await ownedFile(file.fileID, user: user)
        }
        let current = try await store.version(fileID: file.fileID, version: file.currentVersion)
        return Fileflow_V1_FileMetadata(file, permission: 3, version: current)
    }

    /// Admin only: purges what is past retention (or trashed before `trashed_before`), then collects blocks.
    func purge(_ request: Fileflow_V1_PurgeRequest, caller: Caller) async throws -> Fileflow_V1_PurgeResponse {
        try await administrators.require(caller, store: store, toDo: "purge")
        let cutoff = request.hasTrashedBefore
            ? request.trashedBefore.seconds * 1_000_000 + Int64(request.trashedBefore.nanos / 1000)
            : Self.now() - retentionMicros
        return try await purgeAndCollect(trashedBefore: cutoff)
    }

    /// Purges every file trashed before `cutoff` (each in its own transaction, with a `FilePurged` event), then
    /// deletes the bytes of blocks that lost their last reference more than the grace period ago.
    public func purgeAndCollect(trashedBefore cutoff: Int64) async throws -> Fileflow_V1_PurgeResponse {
        var response = Fileflow_V1_PurgeResponse()
        while true {
            let batch = try await store.trashedBefore(micros: cutoff, limit: 100)
            for file in batch {
                let released = try await store.purge(fileID: file.fileID) { owner, released in
                    [OutboxMessage.fileEvent(topic: Topic.deletions, fileID: file.fileID, actor: owner) { event in
                        var purged = Fileflow_V1_FilePurged()
                        purged.ownerID = owner
                        purged.blocksReleased = UInt32(clamping: released)
                        event.purged = purged
                    }]
                }
                await cache?.invalidate(fileID: file.fileID)
                response.filesPurged += 1
                response.blocksReleased += UInt32(clamping: released)
            }
            if batch.count < 100 { break }
        }
        while true {
            let collected = try await collector.collect(limit: 1000)
            response.bytesReleased += collected.reduce(0) { $0 + UInt64($1.size) }
            if collected.count < 1000 { break }
        }
        return response
    }

    /// The caller's own file, live or trashed.
    private func ownedFile(_ rawID: String, user: String) async throws -> FileRecord {
        let id = try requireID(rawID, "file_id")
        guard let file = try await store.file(id: id) else { throw RPCError.notFound("file \(id) not found") }
        guard file.ownerID == user else {
            if file.deletedAtMicros == nil, try await store.permission(fileID: id, userID: user) != nil {
                throw RPCError(code: .permissionDenied, message: "only the owner may delete or restore a file")
            }
            throw RPCError.notFound("file \(id) not found")
        }
        return file
    }

    /// Now, in microseconds since the epoch (the unit of the store's timestamps).
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
