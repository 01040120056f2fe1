import Testing
@testable import SearchIndex

/// The stages a brute-force suite goes through: one committed segment, then a second one and tombstones in both
/// (every `deleteEvery`-th document), comparing with `BruteForceIndex` after each; then reopened from disk.
struct TwoSegmentRun {
    let segmentSize: Int
    let deleteEvery: Int
    /// Document `i` of the corpus (its id must be `id(i)`).
    let document: (Int, inout SeededRandom) -> IndexDocument
    let id: (Int) -> String
    /// Compares the index with the reference at one stage.
    let compare: (SearchIndex, BruteForceIndex, inout SeededRandom, String) throws -> Void

    func run(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        var random = SeededRandom(seed: seed)
        let configuration = IndexConfiguration()
        var reference = BruteForceIndex(configuration: configuration)
        var index = try SearchIndex(directory: directory.path, configuration: configuration)
        func add(_ range: Range<Int>) throws {
            for i in range {
                let doc = document(i, &random)
                try index.add(doc)
                reference.add(doc)
            }
            try index.commit()
        }
        try add(0..<segmentSize)
        try compare(index, reference, &random, "one segment")

        try add(segmentSize..<(2 * segmentSize))
        for i in stride(from: 0, to: 2 * segmentSize, by: deleteEvery) {
            index.delete(id: id(i))
            reference.delete(id: id(i))
        }
        try index.commit()
        #expect(index.segmentCount == 2)
        try compare(index, reference, &random, "two segments with tombstones")

        index = try SearchIndex(directory: directory.path, configuration: configuration)
        try compare(index, reference, &random, "reopened")
    }
}
