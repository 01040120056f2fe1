import Testing
@testable import SearchIndex

/// Segment format v5: postings blocks of a word in most documents store their doc ids as a bitmap, and every block
/// records where the positions of each jump point's doc start. A probe lands on the right doc, frequency and
/// positions anywhere in dense, sparse and mixed terms; a window collects every posting; a damaged bitmap is refused.
@Suite("Dense postings blocks and positions jumps")
struct DenseBlockTests {
    @Test("the next set bit and the rank of every bit of a bitmap", arguments: [1, 7, 56, 57, 63, 64, 65, 200, 1000])
    func bitmapRoundTrip(bits: Int) {
        var random = SeededRandom(seed: UInt64(bits))
        // Sparse, dense and all-set runs; the last bit set (a block's last doc always is).
        var set = (0..<bits).map { i in i % 300 < 100 ? random.next() % 7 == 0 : i % 300 < 200 || random.next() % 2 == 0 }
        set[bits - 1] = true
        let docs = set.indices.filter { set[$0] }.map { UInt32($0) + 1_000 }
        var out = ByteWriter()
        DocBitmap.append(docs[...], from: 1_000, to: &out)
        #expect(out.count == DocBitmap.byteCount(bits: bits))
        let padded = out.bytes + [UInt8](repeating: 0xFF, count: 8)  // reads load 8 bytes at a time
        padded.withUnsafeBytes { raw in
            var rank = 0
            for bit in 0..<bits {
                let next = set[bit...].firstIndex(of: true)!
                #expect(DocBitmap.nextSetBit(from: bit, in: raw.baseAddress!) == next, "next from \(bit)")
                #expect(DocBitmap.rank(of: bit, in: raw.baseAddress!) == rank, "rank of \(bit)")
                if set[bit] { rank += 1 }
            }
        }
    }

    /// One text term's postings in a segment of its own: tf varies from 1 to 300 (so positions jumps need wide
    /// offsets), positions 0, 3, 6…
    private struct OneTerm {
        let key = [Field.text.rawValue] + Array("word".utf8)
        let docs: [UInt32]
        let freqs: [UInt32]
        let bytes: [UInt8]
        let reader: SegmentReader

        init(docs: [UInt32]) throws {
            self.docs = docs
            freqs = docs.map { $0 % 41 == 0 ? 300 : $0 % 3 + 1 }
            let positions = freqs.flatMap { tf in (0..<tf).map { $0 * 3 } }
            let docCount = Int(docs.last!) + 1
            let lengths = [UInt32](repeating: 10, count: docCount)
            var writer = SegmentWriter(nameLengths: lengths, textLengths: lengths)
            writer.addTerm(
                key, docs: docs, freqs: freqs, positions: positions,
                signatures: positions.map { UInt8(truncatingIfNeeded: $0 &+ 200) })
            let zeros = [Int64](repeating: 0, count: docCount)
            bytes = writer.finish(externalIDs: (0..<docCount).map { "d\($0)" }, created: zeros, modified: zeros)
            reader = try SegmentReader(bytes: bytes, name: "dense")
        }

        func cursor() throws -> PostingCursor {
            PostingCursor(segment: reader, info: try #require(reader.lookup(key)), field: .text, weight: nil)
        }

        func expectAt(_ cursor: PostingCursor, _ i: Int, _ note: String) {
            #expect(cursor.doc == docs[i], "\(note): doc")
            #expect(cursor.termFrequency == freqs[i], "\(note): tf")
            #expect(Array(cursor.decodePositions()) == (0..<freqs[i]).map { $0 * 3 }, "\(note): positions")
            #expect(
                Array(cursor.decodedSignatures) == (0..<freqs[i]).map { UInt8(truncatingIfNeeded: $0 * 3 + 200) },
                "\(note): signatures")
        }
    }

    /// Blocks alternating dense (gaps of 1–2: bitmaps) and sparse (gaps up to 40: deltas), from doc `first`.
    private static func mixedDocs(count: Int, first: UInt32) -> [UInt32] {
        var random = SeededRandom(seed: UInt64(count) &+ UInt64(first))
        var doc = first
        return (0..<count).map { i in
            defer {
                let dense = i / SegmentFormat.blockSize % 2 == 0
                doc += UInt32.random(in: dense ? 1...2 : 1...40, using: &random)
            }
            return doc
        }
    }

    @Test("dense blocks are bitmaps and sparse ones deltas, read whole in order", arguments: [0, 1, 7])
    func sequentialRead(first: UInt32) throws {
        let term = try OneTerm(docs: Self.mixedDocs(count: 700, first: first))
        let cursor = try term.cursor()
        var bitmapBlocks = 0
        for i in term.docs.indices {
            if i % SegmentFormat.blockSize == 0 {
                #expect(cursor.isBitmap == (i / SegmentFormat.blockSize % 2 == 0), "block at \(i)")
                if cursor.isBitmap { bitmapBlocks += 1 }
            }
            term.expectAt(cursor, i, "posting \(i)")
            cursor.next()
        }
        #expect(cursor.doc == DocCursor.exhausted)
        #expect(bitmapBlocks == 3)
    }

    @Test("a probe from a fresh cursor to every doc and every gap lands on the next posting, with its positions",
          arguments: [1, 16, 17, 128, 129, 700])
    func probes(count: Int) throws {
        let term = try OneTerm(docs: Self.mixedDocs(count: count, first: 0))
        for target in 0...(term.docs.last! + 1) {
            let cursor = try term.cursor()
            cursor.advance(to: target)
            guard let i = term.docs.firstIndex(where: { $0 >= target }) else {
                #expect(cursor.doc == DocCursor.exhausted, "past the end")
                continue
            }
            term.expectAt(cursor, i, "target \(target)")
        }
    }

    @Test("probes forward on one cursor, every few postings, and next() after each")
    func forwardProbes() throws {
        let term = try OneTerm(docs: Self.mixedDocs(count: 700, first: 3))
        for stride in [1, 5, 16, 33] {
            let cursor = try term.cursor()
            var i = 0
            while i + 1 < term.docs.count {
                cursor.advance(to: term.docs[i])
                term.expectAt(cursor, i, "stride \(stride), posting \(i)")
                cursor.next()
                #expect(cursor.doc == term.docs[i + 1], "stride \(stride), next after \(i)")
                i += stride
            }
        }
    }

    @Test("a window collects every posting of dense and sparse blocks")
    func collect() throws {
        let term = try OneTerm(docs: Self.mixedDocs(count: 700, first: 0))
        let cursor = try term.cursor()
        let window = ScoreWindow()
        var collected: [UInt32] = []
        var start: UInt32 = 0
        while start <= term.docs.last! {
            window.reset(base: start)
            cursor.collect(
                until: start + UInt32(ScoreWindow.size), into: window, bit: 1, minimum: -Double.infinity)
            for slot in 0..<ScoreWindow.size where window.masks[slot] == 1 { collected.append(start + UInt32(slot)) }
            start += UInt32(ScoreWindow.size)
        }
        #expect(collected == term.docs)
    }

    @Test("a single dense block (positions right after its data), from doc 0")
    func singleDenseBlock() throws {
        let term = try OneTerm(docs: (0..<100).map { UInt32($0) * 2 })
        let cursor = try term.cursor()
        #expect(cursor.isBitmap)
        for i in term.docs.indices {
            term.expectAt(cursor, i, "posting \(i)")
            cursor.next()
        }
        let probe = try term.cursor()
        probe.advance(to: 101)
        term.expectAt(probe, 51, "probe into a gap")
    }

    @Test("a damaged bitmap or a truncated segment is refused as corrupt, not read")
    func damagedBitmap() throws {
        let term = try OneTerm(docs: (0..<100).map { UInt32($0) * 2 })
        let info = try #require(term.reader.lookup(term.key))
        var header = ByteReader(term.bytes, from: info.postingsOffset, what: "test")
        let impacts = try header.readVarint()
        for _ in 0..<(2 * impacts) { _ = try header.readVarint() }
        _ = try header.readVarint()  // the single block's last doc
        #expect(term.bytes[header.offset] == SegmentFormat.bitmapBlock)
        // After the header and the positions jumps (this block has no doc jump table).
        let positionJumpWidth = Int(term.bytes[header.offset + 3])
        let bitmap = header.offset + SegmentFormat.blockHeaderSize
            + BitPacking.byteCount(count: 99 / SegmentFormat.jumpInterval, width: positionJumpWidth)
        var damaged = term.bytes
        damaged[bitmap + 3] ^= 0x04
        #expect {
            _ = try SegmentReader(bytes: damaged, name: "damaged")
        } throws: { error in
            (error as? SearchIndexError)?.code == .corrupt
        }
        for length in [bitmap + 1, term.bytes.count - 1] {
            #expect("truncated to \(length)") {
                _ = try SegmentReader(bytes: Array(term.bytes[..<length]), name: "truncated")
            } throws: { error in
                (error as? SearchIndexError)?.code == .corrupt
            }
        }
    }
}
