import Testing
@testable import SearchIndex

/// The index driven the way the search service drives it, against `BruteForceIndex` after every checkpoint: a
/// "rebuilt" segment of many users' files, then per user files uploaded (name only) and re-added with their
/// extracted text, shares and revokes, other files updated and trashed, commits of small batches, the service's
/// merge policy and restarts; queried as the service asks (the last word a prefix, the caller's ACL, 1000 hits).
@Suite("Service-like workload matches brute-force BM25")
struct ServiceWorkloadTests {
    /// The service merges above this many segments, ten smallest into one (`IndexWriter`).
    static let maxSegments = 20
    /// Rare in the rebuilt segment (about one file in 100), so ANDed with a common word they lead one document at
    /// a time there.
    static let rareWords = ["quokka", "narwhal", "okapi", "tapir"]

    static func uuid(_ random: inout SeededRandom) -> String {
        let hex = Array("0123456789abcdef")
        return [8, 4, 4, 4, 12].map { n in String((0..<n).map { _ in hex[Int.random(in: 0..<16, using: &random)] }) }
            .joined(separator: "-")
    }

    /// A random lowercase word like the service tests' (which search for words nobody else has); with `plural`
    /// it ends in "s", which the text analyzer strips.
    static func word(_ random: inout SeededRandom, plural: Bool) -> String {
        let letters = (0..<(plural ? 9 : 10)).map { _ in
            Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random)))
        }
        return String(letters) + (plural ? "s" : "")
    }

    static func text(_ random: inout SeededRandom) -> String {
        var words = (0..<Int.random(in: 3...30, using: &random)).map { _ in
            RandomCorpus.words[random.skewed(RandomCorpus.words.count)]
        }
        if Int.random(in: 0..<100, using: &random) == 0 { words.append(rareWords.randomElement(using: &random)!) }
        return words.joined(separator: " ")
    }

    /// What the service asks for a user's words: each typed last (a prefix), as a finished word, ANDed with a
    /// common word, in a phrase, filtered by type, and a later page.
    static func requests(user: String, words: [String]) -> [SearchRequest] {
        words.flatMap { w in
            [
                SearchRequest(query: w, user: user, prefixLastToken: true, limit: 1000),
                SearchRequest(query: w + " ", user: user, prefixLastToken: true, limit: 1000),
                SearchRequest(query: "report " + w, user: user, prefixLastToken: true, limit: 1000),
                SearchRequest(query: "\"special " + w + "\"", user: user, prefixLastToken: true, limit: 1000),
                SearchRequest(query: w, user: user, prefixLastToken: true, types: ["pdf"], limit: 1000),
                SearchRequest(query: w, user: user, prefixLastToken: true, offset: 1, limit: 2),
            ]
        }
    }

    /// Rare words ANDed and phrased with common ones under base users' ACLs (the document-at-a-time path).
    static func rareRequests(users: [String]) -> [SearchRequest] {
        rareWords.flatMap { rare in
            users.prefix(3).flatMap { user in
                ["\(rare) data", "data \(rare)", "\"\(rare) data\""].map {
                    SearchRequest(query: $0, user: user, prefixLastToken: true, limit: 1000)
                }
            }
        }
    }

    @Test("uploads, processing re-adds, shares, trash, checkpoints, merges and restarts")
    func serviceWorkload() throws {
        let directory = TemporaryDirectory()
        var random = SeededRandom(seed: 5)
        let configuration = IndexConfiguration()
        var reference = BruteForceIndex(configuration: configuration)
        var index = try SearchIndex(directory: directory.path, configuration: configuration)
        let baseUsers = (0..<20).map { _ in Self.uuid(&random) }
        var live: [String: IndexDocument] = [:]
        var liveIDs: [String] = []
        var clock: Int64 = 1_700_000_000

        func apply(_ doc: IndexDocument) throws {
            try index.add(doc)
            reference.add(doc)
            if live.updateValue(doc, forKey: doc.id) == nil { liveIDs.append(doc.id) }
        }
        func compare(_ requests: [SearchRequest], stage: String) throws -> Int {
            var nonEmpty = 0
            for request in requests {
                let expected = reference.search(try index.parse(request), offset: request.offset, limit: request.limit)
                BruteForceTests.expectSameRanking(try index.search(request), expected, "\(stage) \(request)")
                if !expected.isEmpty { nonEmpty += 1 }
            }
            return nonEmpty
        }
        var earlier: [(user: String, words: [String])] = []
        var hits = 0
        func checkEarlier(stage: String) throws {
            for (user, words) in earlier.suffix(4) {
                hits += try compare(Self.requests(user: user, words: words), stage: "\(stage), earlier user")
            }
            hits += try compare(Self.rareRequests(users: baseUsers), stage: "\(stage), rare words")
        }
        /// What the service's upkeep does: commit, then merge while there are too many segments.
        func checkpoint(_ user: String, _ words: [String], stage: String) throws {
            try index.commit()
            hits += try compare(Self.requests(user: user, words: words), stage: stage)
            while index.segmentCount > Self.maxSegments, try index.merge(maxSegments: index.segmentCount - 9) {
                try checkEarlier(stage: "\(stage), merged")
            }
        }

        // The start-up rebuild: every live file in one segment.
        for _ in 0..<700 {
            clock += 1
            let owner = baseUsers[random.skewed(baseUsers.count)]
            try apply(IndexDocument(
                id: Self.uuid(&random), name: "file-\(Int.random(in: 0..<50, using: &random)).txt",
                text: Self.text(&random), type: ["text", "pdf"].randomElement(using: &random)!, owner: owner,
                readers: Int.random(in: 0..<5, using: &random) == 0 ? [baseUsers.randomElement(using: &random)!] : [],
                created: clock, modified: clock))
        }
        try index.commit()
        try checkEarlier(stage: "rebuilt")

        for scenario in 0..<30 {
            let user = Self.uuid(&random)
            let words = [Self.word(&random, plural: scenario % 2 == 0), Self.word(&random, plural: scenario % 3 == 0)]
            let stage = "scenario \(scenario)"
            var ids: [String] = []
            for i in 0..<Int.random(in: 1...5, using: &random) {
                clock += 1
                ids.append(Self.uuid(&random))
                try apply(IndexDocument(
                    id: ids[i], name: "note-\(i).txt", owner: user, created: clock, modified: clock))
                if Bool.random(using: &random) { try checkpoint(user, words, stage: "\(stage) uploaded") }
            }
            for (i, id) in ids.enumerated() {
                clock += 1
                var doc = live[id]!
                doc.text = String(repeating: words[0] + " ", count: i + 1)
                    + (i == 3 ? "special " + words[1] : "plain " + words[1]) + " " + Self.text(&random)
                doc.type = i % 2 == 1 ? "pdf" : "text"
                doc.modified = clock
                try apply(doc)
                if Bool.random(using: &random) { try checkpoint(user, words, stage: "\(stage) processed") }
            }
            // Other users' files: updated, shared with this user, trashed.
            for _ in 0..<Int.random(in: 0..<8, using: &random) {
                let id = liveIDs[Int.random(in: 0..<liveIDs.count, using: &random)]
                guard var doc = live[id] else { continue }
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    index.delete(id: id)
                    reference.delete(id: id)
                    live[id] = nil
                case 1:
                    doc.readers.append(user)
                    try apply(doc)
                default:
                    doc.text = Self.text(&random)
                    try apply(doc)
                }
            }
            let reader = Self.uuid(&random)
            for id in ids where Bool.random(using: &random) {
                var doc = live[id]!
                doc.readers = [reader]
                try apply(doc)
                try checkpoint(reader, words, stage: "\(stage) shared")
                doc.readers = []
                try apply(doc)
            }
            try checkpoint(user, words, stage: "\(stage) done")
            earlier.append((user, words))
            if scenario % 10 == 9 {
                index = try SearchIndex(directory: directory.path, configuration: configuration)
                try checkEarlier(stage: "\(stage) reopened")
            }
        }
        #expect(hits > 500, "only \(hits) requests had hits")
    }
}
