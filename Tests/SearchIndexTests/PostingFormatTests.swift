import Testing
@testable import SearchIndex

/// The bit-packed postings format: every bit width, blocks of every fill, decoding from any entry point, and a
/// damaged segment refused at open.
@Suite("Postings format")
struct PostingFormatTests {
    @Test("every value of every width 0...32 reads back at every index", arguments: [1, 2, 7, 8, 127, 128])
    func bitPackingRoundTrip(count: Int) {
        var random = SeededRandom(seed: UInt64(count))
        for width in 0...BitPacking.maxWidth {
            let mask = BitPacking.mask(width: width)
            // The largest value of the width first, so the width is exactly this one.
            let values = [UInt32(truncatingIfNeeded: mask)]
                + (1..<count).map { _ in UInt32(truncatingIfNeeded: random.next() & mask) }
            #expect(BitPacking.width(values) == width)
            var out = ByteWriter()
            BitPacking.append(values, width: width, to: &out)
            #expect(out.count == BitPacking.byteCount(count: count, width: width))
            let padded = out.bytes + [UInt8](repeating: 0xFF, count: 8)  // reads load 8 bytes at a time
            padded.withUnsafeBytes { raw in
                for (i, value) in values.enumerated() {
                    let read = BitPacking.value(at: i, width: width, mask: mask, in: raw.baseAddress!)
                    #expect(read == value, "width \(width), index \(i)")
                }
            }
        }
    }

    /// One term's postings written by `SegmentWriter` and read back by `PostingCursor`, with wide doc gaps and
    /// term frequencies from 1 to large (so widths vary block by block).
    @Test("postings read back whole at and around block boundaries", arguments: [1, 127, 128, 129, 256, 257, 1000, 5000])
    func postingsRoundTrip(df: Int) throws {
        var random = SeededRandom(seed: UInt64(df) &* 31)
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = [], signatures: [UInt8] = []
        var doc: UInt32 = UInt32.random(in: 0..<1000, using: &random)
        for i in 0..<df {
            if i > 0 { doc += UInt32.random(in: i % 97 == 0 ? 1...300_000 : 1...9, using: &random) }
            let tf = UInt32.random(in: i % 53 == 0 ? 33...300 : 1...3, using: &random)
            docs.append(doc)
            freqs.append(tf)
            var position: UInt32 = 0
            for _ in 0..<tf {
                position += UInt32.random(in: 0...5000, using: &random)
                positions.append(position)
                signatures.append(UInt8.random(in: 0...255, using: &random))
                position += 1
            }
        }
        let docCount = Int(doc) + 1
        let lengths = [UInt32](repeating: 10, count: docCount)
        var writer = SegmentWriter(nameLengths: lengths, textLengths: lengths)
        let key = [Field.text.rawValue] + Array("word".utf8)
        writer.addTerm(key, docs: docs, freqs: freqs, positions: positions, signatures: signatures)
        let ids = (0..<docCount).map { "d\($0)" }
        let zeros = [Int64](repeating: 0, count: docCount)
        let reader = try SegmentReader(
            bytes: writer.finish(externalIDs: ids, created: zeros, modified: zeros), name: "test")
        let info = try #require(reader.lookup(key))
        #expect(info.df == df)

        let cursor = PostingCursor(segment: reader, info: info, field: .text, weight: nil)
        var positionIndex = 0
        for i in 0..<df {
            #expect(cursor.doc == docs[i])
            #expect(cursor.termFrequency == freqs[i])
            let range = positionIndex..<(positionIndex + Int(freqs[i]))
            let decoded = Array(cursor.decodePositions())
            #expect(decoded == Array(positions[range]))
            #expect(Array(cursor.decodedSignatures) == Array(signatures[range]))
            // Asked again for the same document, the same positions (not the next document's).
            #expect(Array(cursor.decodePositions()) == Array(positions[range]))
            positionIndex += Int(freqs[i])
            cursor.next()
        }
        #expect(cursor.doc == DocCursor.exhausted)

        // Entering anywhere: skipping to a target, a skip-data lower bound never past the real next doc, and
        // positions of a doc reached without reading its predecessors'.
        let probe = PostingCursor(segment: reader, info: info, field: .text, weight: nil)
        var target: UInt32 = 0
        var lastPositioned = -1
        while true {
            target += UInt32.random(in: 1...4000, using: &random)
            let expected = docs.firstIndex { $0 >= target }
            #expect(probe.firstCandidate(from: target) <= expected.map { docs[$0] } ?? DocCursor.exhausted)
            probe.advance(to: target)
            guard let expected else {
                #expect(probe.doc == DocCursor.exhausted)
                break
            }
            #expect(probe.doc == docs[expected])
            #expect(probe.termFrequency == freqs[expected])
            // Positions are read once per document, as a phrase does.
            guard expected != lastPositioned else { continue }
            lastPositioned = expected
            let decoded = Array(probe.decodePositions())
            let start = freqs[..<expected].reduce(0) { $0 + Int($1) }
            #expect(decoded == Array(positions[start..<(start + Int(freqs[expected]))]))
            #expect(Array(probe.decodedSignatures) == Array(signatures[start..<(start + Int(freqs[expected]))]))
        }
    }

    @Test("a segment with a damaged postings block is refused as corrupt, not read")
    func damagedBlock() throws {
        var buffer = MemoryBuffer()
        for i in 0..<300 {
            buffer.add(
                IndexDocument(id: "d\(i)", name: "n\(i)", text: "common word\(i % 7)", owner: "o"),
                configuration: IndexConfiguration())
        }
        var bytes = buffer.flush().bytes
        // Just after the magic: the first term's postings.
        bytes[SegmentFormat.magic.count + 4] ^= 0x40
        #expect {
            _ = try SegmentReader(bytes: bytes, name: "damaged")
        } throws: { error in
            (error as? SearchIndexError)?.code == .corrupt
        }
    }
}
