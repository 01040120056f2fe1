import Testing
@testable import SearchIndex

/// The jump table inside each postings block: a probe lands on the right doc whether its target is a jump point,
/// just before or after one, the last posting of a block or past the end, in blocks shorter than the jump interval
/// too; and a damaged or truncated table is refused at open.
@Suite("Postings jump table")
struct JumpTableTests {
    /// One term's postings (`docs`, tf = doc % 3 + 1, positions 0, 2, 4…) in a segment of its own.
    private struct OneTerm {
        let key = [Field.text.rawValue] + Array("word".utf8)
        let docs: [UInt32]
        let bytes: [UInt8]
        let reader: SegmentReader

        init(docs: [UInt32]) throws {
            self.docs = docs
            let freqs = docs.map { $0 % 3 + 1 }
            let positions = freqs.flatMap { tf in (0..<tf).map { $0 * 2 } }
            let docCount = Int(docs.last!) + 1
            let lengths = [UInt32](repeating: 10, count: docCount)
            var writer = SegmentWriter(nameLengths: lengths, textLengths: lengths)
            writer.addTerm(
                key, docs: docs, freqs: freqs, positions: positions, signatures: positions.map(Self.signature))
            let zeros = [Int64](repeating: 0, count: docCount)
            bytes = writer.finish(externalIDs: (0..<docCount).map { "d\($0)" }, created: zeros, modified: zeros)
            reader = try SegmentReader(bytes: bytes, name: "jumps")
        }

        func cursor() throws -> PostingCursor {
            PostingCursor(segment: reader, info: try #require(reader.lookup(key)), field: .text, weight: nil)
        }

        /// Checks the cursor sits on posting `i`, with its frequency and positions (read once per doc, as a phrase
        /// does).
        func expectAt(_ cursor: PostingCursor, _ i: Int, _ note: String) {
            #expect(cursor.doc == docs[i], "\(note): doc")
            #expect(cursor.termFrequency == docs[i] % 3 + 1, "\(note): tf")
            let positions = Array(cursor.decodePositions())
            #expect(positions == (0..<(docs[i] % 3 + 1)).map { $0 * 2 }, "\(note): positions")
            #expect(Array(cursor.decodedSignatures) == positions.map(Self.signature), "\(note): signatures")
        }

        static func signature(_ position: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: position &* 37 &+ 5) }
    }

    /// Gaps that vary (so widths differ block by block), one large.
    private static func docs(count: Int) -> [UInt32] {
        var doc: UInt32 = 3
        return (0..<count).map { i in
            defer { doc += i % 37 == 36 ? 100_000 : UInt32(i % 5 + 1) }
            return doc
        }
    }

    @Test("a probe to, just before and just after every jump point lands on the right posting",
          arguments: [17, 128, 129, 300])
    func everyJumpPoint(count: Int) throws {
        let term = try OneTerm(docs: Self.docs(count: count))
        let docs = term.docs
        for i in stride(from: 0, to: count, by: 1) where i % SegmentFormat.blockSize % SegmentFormat.jumpInterval == 0 {
            // Exactly on the jump point, from a fresh cursor (nothing decoded in the block but its first doc).
            let exact = try term.cursor()
            exact.advance(to: docs[i])
            term.expectAt(exact, i, "exactly jump point \(i)")
            // Just before it: the doc before the jump point (or the jump point when the gap is 1).
            let before = try term.cursor()
            before.advance(to: docs[i] - 1)
            term.expectAt(before, i > 0 && docs[i - 1] == docs[i] - 1 ? i - 1 : i, "before jump point \(i)")
            // Just after it: the next posting, then on through the rest of the block by `next()`.
            guard i + 1 < count else { continue }
            let after = try term.cursor()
            after.advance(to: docs[i] + 1)
            term.expectAt(after, i + 1, "after jump point \(i)")
            for j in (i + 2)..<min(count, i + 2 + SegmentFormat.jumpInterval) {
                after.next()
                #expect(after.doc == docs[j], "next after jump point \(i), posting \(j)")
            }
        }
    }

    @Test("a probe to the last posting of each block, then past the end", arguments: [128, 256, 300])
    func lastOfBlockAndPastEnd(count: Int) throws {
        let term = try OneTerm(docs: Self.docs(count: count))
        let cursor = try term.cursor()
        for last in stride(from: SegmentFormat.blockSize - 1, to: count, by: SegmentFormat.blockSize) {
            cursor.advance(to: term.docs[last])
            term.expectAt(cursor, last, "last of block ending at \(last)")
        }
        if count % SegmentFormat.blockSize != 0 {  // else already there (and positions are read once per doc)
            cursor.advance(to: term.docs[count - 1])
            term.expectAt(cursor, count - 1, "last posting")
        }
        cursor.advance(to: term.docs[count - 1] + 1)
        #expect(cursor.doc == DocCursor.exhausted)
        let fresh = try term.cursor()
        fresh.advance(to: UInt32.max - 1)
        #expect(fresh.doc == DocCursor.exhausted)
    }

    @Test("blocks shorter than the jump interval, and of exactly one interval", arguments: [1, 2, 15, 16, 129, 144])
    func shortBlocks(count: Int) throws {
        let term = try OneTerm(docs: Self.docs(count: count))
        // Every target in range, in order, on one cursor (short jumps, decoded docs reused) and each on a fresh one.
        let cursor = try term.cursor()
        let targets = Set(term.docs.flatMap { [$0 - 1, $0, $0 + 1, $0 + 50_000] }).sorted()
        for target in targets {
            let expected = term.docs.firstIndex { $0 >= target }
            cursor.advance(to: target)
            let fresh = try term.cursor()
            fresh.advance(to: target)
            #expect(cursor.doc == expected.map { term.docs[$0] } ?? DocCursor.exhausted, "target \(target)")
            #expect(fresh.doc == cursor.doc, "target \(target), fresh cursor")
        }
    }

    @Test("a probe past decoded docs, then back within them, then across a jump point")
    func mixedProbes() throws {
        let term = try OneTerm(docs: Self.docs(count: 128))
        let cursor = try term.cursor()
        cursor.advance(to: term.docs[5])
        term.expectAt(cursor, 5, "early")
        cursor.advance(to: term.docs[70] - 1)
        term.expectAt(cursor, term.docs[69] == term.docs[70] - 1 ? 69 : 70, "across jump points 16…64")
        cursor.advance(to: term.docs[71])
        term.expectAt(cursor, 71, "within decoded docs")
        cursor.advance(to: term.docs[112])
        term.expectAt(cursor, 112, "the last jump point")
        cursor.advance(to: term.docs[127])
        term.expectAt(cursor, 127, "the block's last posting")
    }

    /// The byte offset of the first block's jump table of a single-block term.
    private static func jumpTableOffset(_ term: OneTerm) throws -> Int {
        let info = try #require(term.reader.lookup(term.key))
        var header = ByteReader(term.bytes, from: info.postingsOffset, what: "test")
        let impacts = try header.readVarint()
        for _ in 0..<(2 * impacts) { _ = try header.readVarint() }
        _ = try header.readVarint()  // the single block's last doc
        return header.offset + SegmentFormat.blockHeaderSize  // after the bit widths
    }

    @Test("a damaged jump table or a truncated segment is refused as corrupt, not read")
    func damagedJumpTable() throws {
        let term = try OneTerm(docs: Self.docs(count: 100))
        var damaged = term.bytes
        damaged[try Self.jumpTableOffset(term)] ^= 0x01
        #expect {
            _ = try SegmentReader(bytes: damaged, name: "damaged")
        } throws: { error in
            (error as? SearchIndexError)?.code == .corrupt
        }
        let jumps = try Self.jumpTableOffset(term)
        for length in [jumps + 1, term.bytes.count - 1, term.bytes.count / 2] {
            #expect("truncated to \(length)") {
                _ = try SegmentReader(bytes: Array(term.bytes[..<length]), name: "truncated")
            } throws: { error in
                (error as? SearchIndexError)?.code == .corrupt
            }
        }
    }
}
