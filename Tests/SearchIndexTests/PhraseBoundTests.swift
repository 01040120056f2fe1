import Testing
@testable import SearchIndex

/// Phrases whose terms span many postings blocks, against `BruteForceIndex`: a phrase passes over whole blocks of
/// its rarest term whose block maxima (plus, one document at a time, the other cursors' block maxima) cannot reach
/// the threshold, and skips a frequent term's positions eight bytes at a time. Covered: a sparse pair (one
/// document at a time) and a mid-frequency pair (windowed), either order, words that co-occur without being
/// adjacent, a repeated word, the phrase in names too, ACLs, filters, pages, tombstones, two segments and a reopened index.
@Suite("Phrases over many blocks match brute-force BM25")
struct PhraseBoundTests {
    static let segmentSize = 10_000

    /// Filler text of varied length (so scores vary across blocks) with, now and then, "kiwi mango" (one doc in 90,
    /// sparse: under a 64th of a segment with its name postings), "fig plum" (each word in about one doc in 8) and
    /// "fig fig", adjacent or apart, sometimes several times, sometimes in the name.
    static func document(_ i: Int, _ random: inout SeededRandom) -> IndexDocument {
        var text = (0..<Int.random(in: 1...30, using: &random)).map { _ in
            Int.random(in: 0..<3, using: &random) == 0 ? RandomCorpus.words[random.skewed(20)] : "common"
        }
        var name = [RandomCorpus.words[random.skewed(12)]]
        func insert(_ words: [String]) {
            text.insert(contentsOf: words, at: Int.random(in: 0...text.count, using: &random))
        }
        if Int.random(in: 0..<90, using: &random) == 0 {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                Bool.random(using: &random) ? insert(["kiwi", "mango"]) : insert(["kiwi", "common", "mango"])
            }
            if Int.random(in: 0..<4, using: &random) == 0 { name += ["kiwi", "mango"] }
        }
        for word in ["fig", "plum"] where Int.random(in: 0..<10, using: &random) == 0 { insert([word]) }
        if Int.random(in: 0..<40, using: &random) == 0 {
            for _ in 0..<Int.random(in: 1...3, using: &random) { insert(["fig", "plum"]) }
            if Int.random(in: 0..<5, using: &random) == 0 { name += ["fig", "plum"] }
        }
        if Int.random(in: 0..<60, using: &random) == 0 { insert(["fig", "fig"]) }
        let owner = RandomCorpus.users.randomElement(using: &random)!
        return IndexDocument(
            id: "p\(i)", name: name.joined(separator: "_") + ".txt", text: text.joined(separator: " "),
            type: Bool.random(using: &random) ? "txt" : "pdf", owner: owner,
            readers: RandomCorpus.users.filter { $0 != owner && Bool.random(using: &random) },
            created: Int64(i), modified: Int64.random(in: 0..<1_000, using: &random))
    }

    static func requests(_ random: inout SeededRandom) -> [SearchRequest] {
        let queries = [
            "\"kiwi mango\"", "\"mango kiwi\"", "\"fig plum\"", "\"plum fig\"", "\"fig fig\"", "\"kiwi common mango\"",
            "\"common fig\"", "\"fig plum\" kiwi",
        ]
        return queries.flatMap { RequestVariants.of($0, limits: [1, 3, 10], maxOffset: 6, &random) }
    }

    static func compare(_ index: SearchIndex, _ reference: BruteForceIndex, _ random: inout SeededRandom, stage: String)
        throws
    {
        let requests = Self.requests(&random)
        let nonEmpty = try RequestVariants.compare(index, reference, requests, stage: stage)
        #expect(nonEmpty * 3 > requests.count * 2, "\(stage): only \(nonEmpty) of \(requests.count) queries had hits")
    }

    @Test("sparse and mid-frequency phrases over many blocks, ACLs, filters, pages, tombstones, segments, reopen")
    func phrasesOverManyBlocks() throws {
        // "kiwi mango" (~110 text postings, a few name ones) goes one document at a time; "fig plum" does not.
        #expect(SegmentSearcher.leadsDocumentAtATime(leadCost: 140, docCount: Self.segmentSize))
        #expect(!SegmentSearcher.leadsDocumentAtATime(leadCost: 1_200, docCount: Self.segmentSize))
        try TwoSegmentRun(
            segmentSize: Self.segmentSize, deleteEvery: 7, document: Self.document, id: { "p\($0)" },
            compare: { try Self.compare($0, $1, &$2, stage: $3) }
        ).run(seed: 11)
    }
}
