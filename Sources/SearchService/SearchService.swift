public import FlowMessages
public import MeshRPC
public import PostgresStore
import SearchIndex
public import ServiceKit
import Synchronization

/// `fileflow.v1.SearchService`: ranked search over file names and extracted text, limited to what the caller may
/// read, over an index kept current from Kafka events and rebuilt from Postgres when it is missing or behind.
///
/// The index is a projection of Postgres: every event, whatever it says, makes the service re-read that file and
/// write its current state (see `SearchIndexer`), durably before the event is acknowledged.
public final class SearchService: Sendable {
    let store: FileFlowStore
    let writer: IndexWriter
    let indexer: SearchIndexer
    /// What opening the index found (an unreadable index moved aside, journaled changes recovered), for the log.
    public let openingNotes: [String]
    private let caughtUp = Mutex(false)
    private let runningRebuild = Mutex<Task<Int, any Error>?>(nil)
    /// Who may call Rebuild.
    let administrators: Administrators

    /// Opens (or creates) the index in `indexDirectory` and re-reads the files its journal lists, so that every
    /// event acknowledged before a crash is in the index before anything else happens.
    public init(
        store: FileFlowStore, indexDirectory: String, administrators: Administrators = Administrators()
    ) async throws {
        let (writer, note) = try IndexWriter.open(directory: indexDirectory)
        self.store = store
        self.administrators = administrators
        self.writer = writer
        indexer = SearchIndexer(store: store, writer: writer)
        let recovered = try await indexer.recoverJournal()
        openingNotes = (note.map { [$0] } ?? []) + (recovered > 0 ? ["re-read \(recovered) journaled files"] : [])
    }

    /// Adds Query and Rebuild to `router`; both need the caller's `fileflow-caller-id`.
    public func register(in router: inout RPCRouter) {
        typealias M = Fileflow_V1_SearchService.Method
        router.unary(M.Query.self) { request, caller in try await self.query(request, caller: try caller.required()) }
        router.unary(M.Rebuild.self) { _, caller in try await self.rebuild(caller: caller) }
    }

    // MARK: Events

    /// Handles one event of any kind by re-reading its file; returns once the index holds that state durably,
    /// so the consumer may acknowledge it.
    public func handle(_ event: Fileflow_V1_FileEvent) async throws {
        try await indexer.refresh(fileIDs: [try requireID(event.fileID, "file_id")])
    }

    /// How often changes are committed to the index, which is also how soon they become searchable.
    static let checkpointInterval = Duration.milliseconds(250)

    /// Brings the index up to date once (`SearchIndexer.bringUpToDate`), reporting what it did through `log`,
    /// then commits changes and merges segments as they accumulate, until cancelled.
    public func upkeep(log: @Sendable (String) -> Void) async throws {
        if !caughtUp.withLock({ $0 }) {
            log((try await indexer.bringUpToDate()).description)
            caughtUp.withLock { $0 = true }
        }
        while true {
            try await writer.checkpoint()
            try await writer.mergeIfNeeded()
            try await Task.sleep(for: Self.checkpointInterval)
        }
    }

    /// Ready once the start-up check has brought the index up to date.
    public var readiness: Readiness.Check {
        ("search index", { [self] in
            guard caughtUp.withLock({ $0 }) else {
                throw RPCError(code: .unavailable, message: "the index is being brought up to date with Postgres")
            }
        })
    }

    /// Commits everything applied so far; for shutdown.
    public func flush() async throws {
        try await writer.checkpoint()
    }

    // MARK: Rebuild

    /// Rebuilds the index from Postgres (administrators only); a call while a rebuild runs joins it.
    func rebuild(caller: Caller) async throws -> Fileflow_V1_RebuildResponse {
        try await administrators.require(caller, store: store, toDo: "rebuild the search index")
        let task = runningRebuild.withLock { running in
            if let running { return running }
            let task = Task { [indexer] in try await indexer.rebuild() }
            running = task
            return task
        }
        let result = await task.result
        runningRebuild.withLock { if $0 == task { $0 = nil } }
        var response = Fileflow_V1_RebuildResponse()
        response.documents = UInt64(try result.get())
        return response
    }
}
