import Testing
@testable import SearchIndex

/// The document-at-a-time search (every clause required, the cheapest clause sparse) against `BruteForceIndex`:
/// rare words ANDed and phrased with frequent ones, in either order, with ACLs, filters, pages, ties at the
/// threshold, tombstones and several segments.
@Suite("Sparse-lead search matches brute-force BM25")
struct SparseLeadTests {
    static let rareWords = ["quokka", "narwhal", "axolotl", "pangolin", "okapi", "tapir"]
    static let commonWords = ["common", "often", "usual"]
    static let segmentSize = 1300

    /// Mostly frequent words; one document in 40 carries a rare word (a rare word's name and text postings stay
    /// under a 64th of a segment, so it leads document at a time), half of those from one template so that many
    /// share a score and ties fall at the threshold.
    static func document(_ i: Int, _ random: inout SeededRandom) -> IndexDocument {
        let users = RandomCorpus.users
        var name = (0..<Int.random(in: 1...3, using: &random)).map { _ in
            Bool.random(using: &random) ? "often" : RandomCorpus.words[random.skewed(12)]
        }
        var text = (0..<Int.random(in: 2...12, using: &random)).map { _ in
            Int.random(in: 0..<3, using: &random) == 0 ? RandomCorpus.words[random.skewed(20)] : "common"
        }
        if Int.random(in: 0..<4, using: &random) != 0 { text.append("usual") }
        if Int.random(in: 0..<40, using: &random) == 0 {
            let rare = rareWords.randomElement(using: &random)!
            if Bool.random(using: &random) {
                name = [rare, "often"]
                text = ["common", rare, "common", "usual"]
            } else {
                switch Int.random(in: 0..<3, using: &random) {
                case 0: name.insert(rare, at: 0)
                case 1: text.insert(rare, at: Int.random(in: 0...text.count, using: &random))
                default:
                    for _ in 0..<Int.random(in: 1...3, using: &random) {
                        text.insert(rare, at: Int.random(in: 0...text.count, using: &random))
                    }
                    name.append(rare)
                }
            }
        }
        let owner = users.randomElement(using: &random)!
        return IndexDocument(
            id: "s\(i)", name: name.joined(separator: "_") + ".txt", text: text.joined(separator: " "),
            type: Bool.random(using: &random) ? "txt" : "pdf", owner: owner,
            readers: users.filter { $0 != owner && Bool.random(using: &random) },
            created: Int64(i), modified: Int64.random(in: 0..<1_000, using: &random))
    }

    static func requests(_ random: inout SeededRandom) -> [SearchRequest] {
        var requests: [SearchRequest] = []
        for rare in rareWords {
            for common in commonWords {
                for query in ["\(rare) \(common)", "\(common) \(rare)", "\"\(rare) \(common)\"", "\"\(common) \(rare)\""] {
                    requests += RequestVariants.of(query, limits: [1, 3, 5], maxOffset: 4, &random)
                }
            }
        }
        return requests
    }

    static func compare(_ index: SearchIndex, _ reference: BruteForceIndex, _ random: inout SeededRandom, stage: String)
        throws
    {
        let requests = Self.requests(&random)
        let nonEmpty = try RequestVariants.compare(index, reference, requests, stage: stage)
        #expect(nonEmpty * 3 > requests.count, "\(stage): only \(nonEmpty) of \(requests.count) queries had hits")
    }

    @Test("rare AND frequent, phrases either way, ACLs, filters, pages, ties, tombstones, segments")
    func sparseLead() throws {
        // A rare word has at most ~20 postings (name and text) per segment here: this corpus is on the sparse path.
        #expect(SegmentSearcher.leadsDocumentAtATime(leadCost: 20, docCount: Self.segmentSize))
        #expect(!SegmentSearcher.leadsDocumentAtATime(leadCost: Self.segmentSize / 2, docCount: Self.segmentSize))
        try TwoSegmentRun(
            segmentSize: Self.segmentSize, deleteEvery: 9, document: Self.document, id: { "s\($0)" },
            compare: { try Self.compare($0, $1, &$2, stage: $3) }
        ).run(seed: 7)
    }
}
