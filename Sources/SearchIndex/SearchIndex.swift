import Synchronization

/// A persistent inverted index of files: add and delete documents, commit durably, search with BM25 and ACLs.
///
/// Shape (Lucene's): documents go to an in-memory buffer; `refresh()` writes it as an immutable segment and makes
/// it searchable, `commit()` additionally makes everything durable through an atomically replaced manifest;
/// `merge()` folds small segments together and may run on a background task while others add, delete, commit
/// and search. Deletes are tombstones until a merge drops the documents. Changes become visible to searches at the
/// next `refresh()` / `commit()` / `merge()`.
///
/// Thread safety: writers serialize on one lock (held while a commit writes its files); searches read an immutable
/// published snapshot and never wait for writers; a merge holds the writer lock only to install its result.
public final class SearchIndex: Sendable {
    private struct Segment {
        var id: UInt64
        var reader: SegmentReader
        var deletes: Bitset
        var committedDeletes: Bitset
        var deleteGeneration: UInt64
        var isCommitted: Bool
    }

    private struct WriterState {
        var buffer = MemoryBuffer()
        var segments: [Segment] = []
        var manifest: Manifest
        var nextSegmentID: UInt64
        var filesInProgress: Set<String> = []
    }

    public let directory: String
    public let configuration: IndexConfiguration
    private let writer: Mutex<WriterState>
    private let published: Mutex<[SegmentView]>
    private let merging = Mutex(false)

    /// Opens the index in `directory`, creating it if needed, and removes files left by interrupted commits.
    public init(directory: String, configuration: IndexConfiguration = IndexConfiguration()) throws(SearchIndexError) {
        self.directory = directory
        self.configuration = configuration
        try FileSystem.createDirectory(directory)
        var manifest = Manifest()
        manifest.fingerprint = configuration.fingerprint
        if FileSystem.exists(directory + "/" + Manifest.fileName) {
            manifest = try Manifest.decode(try FileSystem.readFile(directory + "/" + Manifest.fileName))
            guard manifest.fingerprint == configuration.fingerprint else {
                throw .init(
                    code: .incompatible, message: "index was written with other analyzer settings or format version")
            }
        }
        var segments: [Segment] = []
        for entry in manifest.entries {
            let name = Manifest.segmentFile(entry.segmentID)
            let reader = try SegmentReader(bytes: try FileSystem.readFile(directory + "/" + name), name: name)
            guard reader.docCount == entry.docCount else { throw .corrupt("segment \(name): document count") }
            var deletes = Bitset(count: reader.docCount)
            if entry.deleteGeneration > 0 {
                let file = directory + "/" + Manifest.deleteFile(entry.segmentID, entry.deleteGeneration)
                deletes = try TombstoneFile.decode(try FileSystem.readFile(file), docCount: reader.docCount)
            }
            segments.append(Segment(
                id: entry.segmentID, reader: reader, deletes: deletes, committedDeletes: deletes,
                deleteGeneration: entry.deleteGeneration, isCommitted: true))
        }
        var state = WriterState(manifest: manifest, nextSegmentID: manifest.nextSegmentID)
        state.segments = segments
        Self.removeUnreferencedFiles(directory, state)
        published = Mutex(Self.views(of: segments))
        writer = Mutex(state)
    }

    // MARK: Writing

    /// Adds a document, replacing any document with the same id. When the buffer is full it is written as a
    /// segment (searchable after the next `refresh` or `commit`), which is why adding can fail with an I/O error.
    public func add(_ document: IndexDocument) throws(SearchIndexError) {
        guard !document.id.isEmpty, document.id.utf8.count <= 1024 else {
            throw .init(code: .invalidDocument, message: "document id must be 1...1024 bytes")
        }
        try writer.withLock { (state: inout WriterState) throws(SearchIndexError) in
            Self.deleteCommitted(id: document.id, in: &state)
            state.buffer.add(document, configuration: configuration)
            if state.buffer.entryCount >= configuration.maxBufferedPostings { try flushBuffer(&state) }
        }
    }

    /// Deletes the document with this id, if any; returns whether one was found.
    @discardableResult
    public func delete(id: String) -> Bool {
        writer.withLock { state in
            let inSegments = Self.deleteCommitted(id: id, in: &state)
            return state.buffer.delete(id: id) || inSegments
        }
    }

    @discardableResult
    private static func deleteCommitted(id: String, in state: inout WriterState) -> Bool {
        let key = Array(id.utf8)
        var found = false
        for i in state.segments.indices {
            for doc in state.segments[i].reader.documents(withID: key) where state.segments[i].deletes.insert(doc) {
                found = true
            }
        }
        return found
    }

    /// Writes buffered documents as a segment and publishes it and all deletes to searches, without a commit.
    public func refresh() throws(SearchIndexError) {
        try writer.withLock { (state: inout WriterState) throws(SearchIndexError) in
            try flushBuffer(&state)
            publish(state)
        }
    }

    /// Makes every change so far durable: after `commit` returns, a crash loses none of it.
    public func commit() throws(SearchIndexError) {
        try writer.withLock { (state: inout WriterState) throws(SearchIndexError) in
            try flushBuffer(&state)
            var manifest = state.manifest
            manifest.generation += 1
            for i in state.segments.indices {
                let segment = state.segments[i]
                guard !segment.isCommitted || segment.deletes != segment.committedDeletes else { continue }
                if segment.deletes.setCount > 0 {
                    let name = Manifest.deleteFile(segment.id, manifest.generation)
                    try FileSystem.writeFile(directory + "/" + name, TombstoneFile.encode(segment.deletes))
                    state.segments[i].deleteGeneration = manifest.generation
                }
            }
            try writeManifest(&state, generation: manifest.generation) { _ in true }
            for i in state.segments.indices {
                state.segments[i].committedDeletes = state.segments[i].deletes
                state.segments[i].isCommitted = true
            }
            Self.removeUnreferencedFiles(directory, state)
            publish(state)
        }
    }

    private func flushBuffer(_ state: inout WriterState) throws(SearchIndexError) {
        guard !state.buffer.isEmpty else { return }
        let (bytes, deleted) = state.buffer.flush()
        let id = state.nextSegmentID
        let name = Manifest.segmentFile(id)
        try FileSystem.writeFile(directory + "/" + name, bytes)
        let reader = try SegmentReader(bytes: bytes, name: name)
        var deletes = Bitset(count: reader.docCount)
        for doc in deleted { deletes.insert(Int(doc)) }
        state.nextSegmentID += 1
        state.buffer = MemoryBuffer()
        state.segments.append(Segment(
            id: id, reader: reader, deletes: deletes, committedDeletes: Bitset(count: reader.docCount),
            deleteGeneration: 0, isCommitted: false))
    }

    /// Writes a manifest of the segments `include` selects, each with its committed tombstone generation.
    private func writeManifest(
        _ state: inout WriterState, generation: UInt64, include: (Segment) -> Bool
    ) throws(SearchIndexError) {
        var manifest = state.manifest
        manifest.generation = generation
        manifest.nextSegmentID = state.nextSegmentID
        manifest.entries = state.segments.filter(include).map {
            Manifest.Entry(segmentID: $0.id, docCount: $0.reader.docCount, deleteGeneration: $0.deleteGeneration)
        }
        try manifest.write(to: directory)
        state.manifest = manifest
    }

    /// Merges the smallest committed segments until at most `maxSegments` remain; returns whether it merged.
    ///
    /// The merge itself runs without the writer lock (adds, deletes, commits and searches proceed); installing the
    /// result takes the lock briefly, carries over deletes made meanwhile and writes a manifest equivalent to the
    /// last commit with the merged segment in place of its sources. Only one merge runs at a time.
    @discardableResult
    public func merge(maxSegments: Int = 8) throws(SearchIndexError) -> Bool {
        guard merging.withLock({ busy in busy ? false : { busy = true; return true }() }) else { return false }
        defer { merging.withLock { $0 = false } }
        let plan = writer.withLock { state -> (sources: [Segment], id: UInt64)? in
            let committed = state.segments.filter(\.isCommitted)
            guard committed.count > max(maxSegments, 1) else { return nil }
            let chosen = committed.sorted { $0.reader.docCount < $1.reader.docCount }
                .prefix(max(2, committed.count - max(maxSegments, 1) + 1))
            let id = state.nextSegmentID
            state.nextSegmentID += 1
            state.filesInProgress.insert(Manifest.segmentFile(id))
            return (Array(chosen), id)
        }
        guard let plan else { return false }
        let name = Manifest.segmentFile(plan.id)
        let merged = SegmentMerger.merge(plan.sources.map { ($0.reader, $0.committedDeletes) })
        let reader: SegmentReader
        do {
            try FileSystem.writeFile(directory + "/" + name, merged.bytes)
            reader = try SegmentReader(bytes: merged.bytes, name: name)
        } catch {
            writer.withLock { _ = $0.filesInProgress.remove(name) }
            throw error
        }
        try writer.withLock { (state: inout WriterState) throws(SearchIndexError) in
            defer { state.filesInProgress.remove(name) }
            var deletes = Bitset(count: reader.docCount)
            var committed = Bitset(count: reader.docCount)
            for (s, source) in plan.sources.enumerated() {
                guard let current = state.segments.first(where: { $0.id == source.id }) else { continue }
                for doc in current.deletes.indices where merged.docMaps[s][doc] >= 0 {
                    deletes.insert(Int(merged.docMaps[s][doc]))
                }
                for doc in current.committedDeletes.indices where merged.docMaps[s][doc] >= 0 {
                    committed.insert(Int(merged.docMaps[s][doc]))
                }
            }
            let generation = state.manifest.generation + 1
            var deleteGeneration: UInt64 = 0
            if committed.setCount > 0 {
                let file = Manifest.deleteFile(plan.id, generation)
                try FileSystem.writeFile(directory + "/" + file, TombstoneFile.encode(committed))
                deleteGeneration = generation
            }
            let sourceIDs = Set(plan.sources.map(\.id))
            var replaced = state
            replaced.segments.removeAll { sourceIDs.contains($0.id) }
            replaced.segments.append(Segment(
                id: plan.id, reader: reader, deletes: deletes, committedDeletes: committed,
                deleteGeneration: deleteGeneration, isCommitted: true))
            try writeManifest(&replaced, generation: generation) { $0.isCommitted }
            state = replaced
            Self.removeUnreferencedFiles(directory, state)
            publish(state)
        }
        return true
    }

    /// Runs `merge` on a background task.
    public func mergeInBackground(maxSegments: Int = 8) -> Task<Bool, Error> {
        Task.detached { try self.merge(maxSegments: maxSegments) }
    }

    /// Deletes segment, tombstone and temporary files that neither the manifest nor the live state needs.
    private static func removeUnreferencedFiles(_ directory: String, _ state: WriterState) {
        var keep = state.manifest.referencedFiles.union(state.filesInProgress)
        for segment in state.segments { keep.insert(Manifest.segmentFile(segment.id)) }
        guard let names = try? FileSystem.listDirectory(directory) else { return }
        for name in names where !keep.contains(name) && (name.hasPrefix("seg-") || name == Manifest.temporaryName) {
            FileSystem.remove(directory + "/" + name)
        }
    }

    private func publish(_ state: WriterState) {
        let views = Self.views(of: state.segments)
        published.withLock { $0 = views }
    }

    private static func views(of segments: [Segment]) -> [SegmentView] {
        segments.map { SegmentView(reader: $0.reader, deletes: $0.deletes) }
    }

    // MARK: Reading

    /// How a request's query text is understood (analysis, clauses, filters).
    public func parse(_ request: SearchRequest) throws(SearchIndexError) -> ParsedQuery {
        try QueryParser(configuration: configuration).parse(request)
    }

    /// The best matches for `request`, best first; `offset`/`limit` page through at most 10,000 hits.
    public func search(_ request: SearchRequest) throws(SearchIndexError) -> [SearchHit] {
        guard request.offset >= 0, (1...1000).contains(request.limit), request.offset + request.limit <= 10_000 else {
            throw .invalidQuery("offset must be ≥ 0, limit 1...1000, offset + limit ≤ 10000")
        }
        let query = try parse(request)
        let views = published.withLock { $0 }
        let hits = QueryExecutor(views: views, configuration: configuration)
            .run(query, k: request.offset + request.limit)
        return Array(hits.dropFirst(request.offset))
    }

    /// Live documents visible to searches.
    public var documentCount: Int {
        published.withLock { $0 }.reduce(0) { $0 + $1.liveCount }
    }

    /// Ids of the live documents visible to searches, for reconciliation with the system of record.
    public func documentIDs() -> [String] {
        let views = published.withLock { $0 }
        var ids: [String] = []
        for view in views {
            for doc in 0..<view.reader.docCount where !(view.deletes?.contains(doc) ?? false) {
                ids.append(view.reader.externalID(doc))
            }
        }
        return ids
    }

    /// Segments visible to searches (for merge policies and tests).
    public var segmentCount: Int {
        published.withLock { $0.count }
    }
}
