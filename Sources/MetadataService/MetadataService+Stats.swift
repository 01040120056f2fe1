import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

extension MetadataService {
    /// Whole-system counts for the admin dashboard: UNAUTHENTICATED without a caller, PERMISSION_DENIED unless the
    /// caller is an administrator (they reveal how many users and files everyone has).
    func getSystemStats(_ request: Fileflow_V1_GetSystemStatsRequest, caller: Caller) async throws
        -> Fileflow_V1_SystemStats
    {
        try await administrators.require(caller, store: store, toDo: "read system statistics")
        return Fileflow_V1_SystemStats(try await store.systemStats())
    }
}

extension Fileflow_V1_SystemStats {
    init(_ record: SystemStatsRecord) {
        self.init()
        users = UInt64(clamping: record.users)
        files = UInt64(clamping: record.files)
        trashedFiles = UInt64(clamping: record.trashedFiles)
        blocks = UInt64(clamping: record.blocks)
        storageBytes = UInt64(clamping: record.storageBytes)
        uncompressedBytes = UInt64(clamping: record.uncompressedBytes)
        jobsPending = UInt64(clamping: record.jobsPending)
        outboxPending = UInt64(clamping: record.outboxPending)
        queueDepth = jobsPending + outboxPending
    }
}
