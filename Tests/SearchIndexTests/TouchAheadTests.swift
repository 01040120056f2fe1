import Testing
@testable import SearchIndex

/// Loading ahead (the lengths of a lead's next candidates) never moves a cursor, and covers exactly the candidates
/// it reports.
@Suite("Loading ahead for probes")
struct TouchAheadTests {
    /// A text term on every third doc (300 postings: blocks of 128, 128, 44).
    private static func segment() throws -> (SegmentReader, rare: TermInfo) {
        let docCount = 900
        let lengths = (0..<docCount).map { UInt32($0 % 50 + 1) }
        var writer = SegmentWriter(nameLengths: lengths, textLengths: lengths)
        let third = (0..<UInt32(docCount)).filter { $0 % 3 == 0 }
        writer.addTerm([Field.text.rawValue] + Array("third".utf8), docs: third,
                       freqs: third.map { _ in 1 }, positions: third.map { _ in 0 }, signatures: third.map { _ in 0 })
        let zeros = [Int64](repeating: 0, count: docCount)
        let reader = try SegmentReader(
            bytes: writer.finish(externalIDs: (0..<docCount).map { "d\($0)" }, created: zeros, modified: zeros),
            name: "touch")
        return (reader, try #require(reader.lookup([Field.text.rawValue] + Array("third".utf8))))
    }

    @Test("a batch is the current doc and those after it in its block, and lengths report the doc after it")
    func batches() throws {
        let (reader, rare) = try Self.segment()
        let weight = TermWeight(boost: 1, idf: 1, k1: 1.2, b: 0.75, averageLength: 25)
        let cursor = PostingCursor(segment: reader, info: rare, field: .text, weight: weight)
        #expect(Array(cursor.upcomingDocs(limit: 16)) == (0..<16).map { UInt32($0) * 3 })
        cursor.advance(to: 3 * 120)
        // Only to the block's end (index 127, doc 381), and the cursor stays where it was.
        #expect(Array(cursor.upcomingDocs(limit: 16)) == (120..<128).map { UInt32($0) * 3 })
        #expect(cursor.touchLengths(limit: 16) == 382)
        #expect(cursor.doc == 360)
        cursor.next()
        #expect(cursor.doc == 363)
        #expect(cursor.score() == weight.score(tf: 1, length: 363 % 50 + 1))
        cursor.advance(to: 3 * 299)
        #expect(cursor.touchLengths(limit: 16) == 898)
        cursor.next()
        #expect(cursor.doc == DocCursor.exhausted)
        #expect(cursor.upcomingDocs(limit: 16).isEmpty)
        #expect(cursor.touchLengths(limit: 16) == DocCursor.exhausted)
    }
}
