import Testing
@testable import SearchIndex

/// Per-block impacts (the bounds block-max pruning trusts): the builder keeps exactly the Pareto-optimal pairs and
/// never understates a posting; a written segment reads them back as bounds at least as large as every posting's
/// score and never looser than the old (max tf, min length) bound; an index in the older format is refused.
@Suite("Impacts: per-block score bounds")
struct ImpactTests {
    @Test("the builder keeps the Pareto frontier, highest tf first")
    func frontier() {
        var builder = ImpactBuilder()
        for (tf, length) in [(1, 8), (3, 30), (2, 15), (1, 20), (3, 40), (2, 16)] as [(UInt32, UInt32)] {
            builder.add(tf: tf, length: length)
        }
        builder.finishBlock()
        #expect(builder.impacts.map(\.tf) == [3, 2, 1])
        #expect(builder.impacts.map(\.length) == [30, 15, 8])
        // The next block starts empty.
        builder.add(tf: 40, length: 100)
        builder.finishBlock()
        #expect(builder.impacts.map(\.tf) == [40])
        #expect(builder.impacts.map(\.length) == [100])
    }

    @Test("merged impacts dominate every pair and invent no tf or length", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func dominance(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var builder = ImpactBuilder()
        var pairs: [(tf: UInt32, length: UInt32)] = []
        for _ in 0..<128 {
            let tf = UInt32(1 + random.skewed(60))
            pairs.append((tf, UInt32.random(in: 1...500, using: &random)))
            builder.add(tf: pairs.last!.tf, length: pairs.last!.length)
        }
        builder.finishBlock()
        let impacts = builder.impacts
        #expect(!impacts.isEmpty && impacts.count <= SegmentFormat.impactsPerBlock)
        for pair in pairs {
            #expect(impacts.contains { $0.tf >= pair.tf && $0.length <= pair.length }, "\(pair) not bounded")
        }
        #expect(impacts.allSatisfy { impact in pairs.contains { $0.tf == impact.tf } })
        #expect(impacts.allSatisfy { impact in pairs.contains { $0.length == impact.length } })
        #expect(impacts.first?.tf == pairs.map(\.tf).max())
        #expect(impacts.last?.length == pairs.map(\.length).min())
    }

    @Test("a written segment bounds every posting's score by its block's impacts")
    func segmentRoundTrip() throws {
        var random = SeededRandom(seed: 7)
        var buffer = MemoryBuffer()
        let configuration = IndexConfiguration()
        for i in 0..<3000 {
            // "common" in every document, with varied tf and length, so its postings span many blocks.
            let words = (0..<Int.random(in: 1...30, using: &random)).map { _ in
                Int.random(in: 0..<3, using: &random) == 0
                    ? "common" : "filler\(Int.random(in: 0..<50, using: &random))"
            }
            buffer.add(
                IndexDocument(id: "d\(i)", name: "n", text: (["common"] + words).joined(separator: " "), owner: "o"),
                configuration: configuration)
        }
        let reader = try SegmentReader(bytes: buffer.flush().bytes, name: "test")
        let key = [Field.text.rawValue] + Array("common".utf8)
        let info = try #require(reader.lookup(key))
        #expect(info.df == 3000)
        let weight = TermWeight(boost: 1, idf: 1.5, k1: 1.2, b: 0.75, averageLength: 16)
        let scanned = PostingCursor(segment: reader, info: info, field: .text, weight: weight)
        let bounds = PostingCursor(segment: reader, info: info, field: .text, weight: weight)
        var looser = 0
        for block in 0..<(3000 / SegmentFormat.blockSize) {
            var best = 0.0, maxTf: UInt32 = 0, minLength = UInt32.max
            let first = scanned.doc
            for _ in 0..<SegmentFormat.blockSize {
                best = max(best, scanned.score())
                maxTf = max(maxTf, scanned.termFrequency)
                minLength = min(minLength, reader.textLength(Int(scanned.doc)))
                scanned.next()
            }
            let bound = bounds.upperBound(from: first, to: first + 1)
            #expect(bound >= best, "block \(block): bound \(bound) below a posting's score \(best)")
            #expect(bound <= weight.score(tf: maxTf, length: minLength))
            if bound < weight.score(tf: maxTf, length: minLength) { looser += 1 }
        }
        // The point of impacts: on most blocks the old bound was looser.
        #expect(looser * 2 > 3000 / SegmentFormat.blockSize)
    }

    @Test("an index written in an older format is refused as incompatible", arguments: [
        [0, 1] as [UInt8],  // version 1 recorded the analyzers' stemming only
        [SegmentFormat.version - 1, 0, 1],  // the previous segment format, same analyzers
        [SegmentFormat.version - 2, 0, 1],  // two formats back
    ])
    func olderFormat(fingerprint: [UInt8]) throws {
        let directory = TemporaryDirectory()
        let index = try SearchIndex(directory: directory.path)
        try index.add(IndexDocument(id: "a", name: "report.pdf", owner: "ann"))
        try index.commit()
        var manifest = try Manifest.decode(try FileSystem.readFile(directory.path + "/" + Manifest.fileName))
        #expect(manifest.fingerprint == IndexConfiguration().fingerprint)
        manifest.fingerprint = fingerprint
        try manifest.write(to: directory.path)
        #expect {
            _ = try SearchIndex(directory: directory.path)
        } throws: { error in
            (error as? SearchIndexError)?.code == .incompatible
        }
    }
}
