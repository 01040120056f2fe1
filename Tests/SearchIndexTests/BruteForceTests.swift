import Testing
@testable import SearchIndex

/// The engine against `BruteForceIndex` on seeded random corpora: same top-k, scores within 1e-6, for every query
/// type with filters, ACLs and pages, across buffered, multi-segment, deleted, merged and reopened states.
@Suite("Engine matches brute-force BM25")
struct BruteForceTests {
    /// Compares ranked lists: equal length, scores within 1e-6 rank by rank, and the same id at each rank unless
    /// the two scores tie (then either order is a correct top-k).
    static func expectSameRanking(
        _ actual: [SearchHit], _ expected: [SearchHit], _ context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.count == expected.count, "\(context): \(actual) vs \(expected)", sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a.score - e.score) <= 1e-6, "\(context): \(a) vs \(e)", sourceLocation: sourceLocation)
            if a.id != e.id {
                #expect(
                    abs(a.score - e.score) <= 1e-9, "\(context): \(a.id) vs \(e.id)", sourceLocation: sourceLocation)
            }
        }
    }

    static func compare(
        _ index: SearchIndex, _ reference: BruteForceIndex, _ corpus: inout RandomCorpus, queries: Int,
        stage: String
    ) throws {
        var nonEmpty = 0
        for q in 0..<queries {
            let request = corpus.request()
            let parsed = try index.parse(request)
            let actual = try index.search(request)
            let expected = reference.search(parsed, offset: request.offset, limit: request.limit)
            expectSameRanking(actual, expected, "\(stage) query \(q) \(request)")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        // Guards against a vacuous comparison: most random queries must have hits.
        #expect(nonEmpty * 2 > queries, "\(stage): only \(nonEmpty) of \(queries) queries had hits")
    }

    @Test("random corpora, all query types, through segments, deletes, merges and reopen", arguments: [1, 2, 3])
    func randomCorpora(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        var corpus = RandomCorpus(seed: seed)
        let configuration = IndexConfiguration()
        var reference = BruteForceIndex(configuration: configuration)
        var index = try SearchIndex(directory: directory.path, configuration: configuration)
        var nextID = 0
        func addBatch(_ count: Int) throws {
            for _ in 0..<count {
                let doc = corpus.document(id: "doc-\(nextID)")
                nextID += 1
                try index.add(doc)
                reference.add(doc)
            }
        }
        try addBatch(150)
        try index.refresh()
        try Self.compare(index, reference, &corpus, queries: 60, stage: "one segment")

        try addBatch(120)
        try index.commit()
        try addBatch(90)
        try index.commit()
        for _ in 0..<40 {
            let id = "doc-\(Int.random(in: 0..<nextID, using: &corpus.random))"
            index.delete(id: id)
            reference.delete(id: id)
        }
        for _ in 0..<20 {
            let target = Int.random(in: 0..<nextID, using: &corpus.random)
            let doc = corpus.document(id: "doc-\(target)")
            try index.add(doc)
            reference.add(doc)
        }
        try index.commit()
        #expect(index.segmentCount == 4)
        try Self.compare(index, reference, &corpus, queries: 80, stage: "segments with tombstones")

        #expect(try index.merge(maxSegments: 1))
        #expect(index.segmentCount == 1)
        #expect(index.documentCount == reference.count)
        try Self.compare(index, reference, &corpus, queries: 60, stage: "merged")

        index = try SearchIndex(directory: directory.path, configuration: configuration)
        #expect(Set(index.documentIDs()) == reference.ids)
        try Self.compare(index, reference, &corpus, queries: 60, stage: "reopened")
    }

    @Test("a large segment exercises multi-block postings, skipping and block-max pruning")
    func largeSegment() throws {
        let directory = TemporaryDirectory()
        var corpus = RandomCorpus(seed: 42)
        let configuration = IndexConfiguration()
        var reference = BruteForceIndex(configuration: configuration)
        let index = try SearchIndex(directory: directory.path, configuration: configuration)
        for i in 0..<3000 {
            let doc = corpus.document(id: "d\(i)")
            try index.add(doc)
            reference.add(doc)
        }
        try index.commit()
        try Self.compare(index, reference, &corpus, queries: 40, stage: "3000 docs")
    }

    /// Big enough that most documents are decided by pruning rather than scoring: frequent words span dozens of
    /// blocks, so the cheapest clause leads and the rest are probed, whole blocks are skipped on their impacts, and
    /// phrases skip position checks for documents that cannot make the top-k; two segments with tombstones.
    @Test("a corpus where leading, probing, impacts and phrase pruning decide most documents")
    func prunedSearch() throws {
        let directory = TemporaryDirectory()
        var corpus = RandomCorpus(seed: 99)
        let configuration = IndexConfiguration()
        var reference = BruteForceIndex(configuration: configuration)
        let index = try SearchIndex(directory: directory.path, configuration: configuration)
        for i in 0..<9000 {
            let doc = corpus.document(id: "d\(i)")
            try index.add(doc)
            reference.add(doc)
            if i == 6000 { try index.commit() }
        }
        for i in stride(from: 0, to: 9000, by: 7) {
            index.delete(id: "d\(i)")
            reference.delete(id: "d\(i)")
        }
        try index.commit()
        #expect(index.segmentCount == 2)
        try Self.compare(index, reference, &corpus, queries: 80, stage: "9000 docs, pruned")
    }
}
