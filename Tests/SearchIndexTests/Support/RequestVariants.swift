import Testing
@testable import SearchIndex

/// The ways the brute-force suites ask each query: as is, a page further, as one reader (the ACL), and filtered by
/// type and modification date; and the comparison of every answer with `BruteForceIndex`.
enum RequestVariants {
    static func of(_ query: String, limits: [Int], maxOffset: Int, _ random: inout SeededRandom) -> [SearchRequest] {
        var requests: [SearchRequest] = []
        var request = SearchRequest(query: query, user: nil)
        requests.append(request)
        request.limit = limits.randomElement(using: &random)!
        request.offset = Int.random(in: 1...maxOffset, using: &random)
        requests.append(request)
        request.user = RandomCorpus.users.randomElement(using: &random)!
        requests.append(request)
        request.offset = 0
        request.types = ["pdf"]
        request.modifiedAfter = Int64.random(in: 0..<500, using: &random)
        request.modifiedBefore = request.modifiedAfter! + 600
        requests.append(request)
        return requests
    }

    /// Compares every request's answer with the reference's; how many had hits (a guard against vacuous runs).
    static func compare(
        _ index: SearchIndex, _ reference: BruteForceIndex, _ requests: [SearchRequest], stage: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        var nonEmpty = 0
        for request in requests {
            let parsed = try index.parse(request)
            let expected = reference.search(parsed, offset: request.offset, limit: request.limit)
            BruteForceTests.expectSameRanking(
                try index.search(request), expected, "\(stage) \(request)", sourceLocation: sourceLocation)
            if !expected.isEmpty { nonEmpty += 1 }
        }
        return nonEmpty
    }
}
