/// Iterates one term's postings in one segment, block by block, decoding a block only when a document in it is
/// needed.
final class PostingCursor: DocCursor {
    private let segment: SegmentReader
    private let base: UnsafeRawPointer
    let df: Int
    private let blockCount: Int
    private let skipStart: Int
    private let dataStart: Int
    private var positionsBase: Int
    private let lengths: PackedColumn
    private let termWeight: TermWeight
    /// Block metadata of a single-block term, read from its varint header (such terms have no skip table).
    private var singleLastDoc: UInt32 = 0
    private var singleMaxTf: UInt32 = 0
    private var singleMinLength: UInt32 = 0

    private var block = -1
    private var shallowBlock = 0
    private let docs: UnsafeMutablePointer<UInt32>
    private let freqs: UnsafeMutablePointer<UInt32>
    private var count = 0
    private var index = 0
    private var positionsOffset = 0
    private var positionsDecoded = 0
    /// How much of the current block is decoded: doc ids up to `docsDecoded` (the next at byte `docsOffset`), and
    /// frequencies all or none. Skipping (AND probes, filters) needs only some doc ids, so the rest, and the
    /// frequencies, are decoded when a later doc, a score or positions are first asked for.
    private var docsDecoded = 0
    private var docsOffset = 0
    private var freqsDecoded = false
    private lazy var cachedMaxScore: Double = {
        var best = 0.0
        for b in 0..<blockCount { best = max(best, blockBound(b)) }
        return best
    }()

    /// A cursor over `info`'s postings; `field` selects the length column for BM25 (nil: unscored filter).
    init(segment: SegmentReader, info: TermInfo, field: Field?, weight: TermWeight?) {
        self.segment = segment
        base = segment.base
        df = info.df
        blockCount = (info.df + SegmentFormat.blockSize - 1) / SegmentFormat.blockSize
        skipStart = info.postingsOffset
        lengths = field.map { segment.lengths($0) } ?? PackedColumn(start: 0, width: 1, base: 0)
        termWeight = weight ?? TermWeight(boost: 0, idf: 0, k1: 1.2, b: 0.75, averageLength: 1)
        docs = .allocate(capacity: SegmentFormat.blockSize)
        freqs = .allocate(capacity: SegmentFormat.blockSize)
        if blockCount == 1 {
            var offset = skipStart
            singleLastDoc = Self.readVarint(base, &offset)
            singleMaxTf = Self.readVarint(base, &offset)
            singleMinLength = Self.readVarint(base, &offset)
            dataStart = offset
            positionsBase = 0  // set by decode: positions follow the block's data
        } else {
            dataStart = skipStart + blockCount * SegmentFormat.skipEntrySize
            let dataLength = Int(UInt32(littleEndian: segment.base.loadUnaligned(
                fromByteOffset: skipStart + (blockCount - 1) * SegmentFormat.skipEntrySize + 4, as: UInt32.self)))
            positionsBase = dataStart + dataLength
        }
        super.init(isScored: weight != nil && field != nil)
        decode(block: 0)
    }

    deinit {
        docs.deallocate()
        freqs.deallocate()
    }

    @inline(__always)
    private func skipField(_ block: Int, _ field: Int) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(
            fromByteOffset: skipStart + block * SegmentFormat.skipEntrySize + field, as: UInt32.self))
    }

    @inline(__always)
    private func lastDoc(_ block: Int) -> UInt32 { blockCount == 1 ? singleLastDoc : skipField(block, 0) }

    @inline(__always)
    private func readVarint(_ offset: inout Int) -> UInt32 {
        Self.readVarint(base, &offset)
    }

    @inline(__always)
    private static func readVarint(_ base: UnsafeRawPointer, _ offset: inout Int) -> UInt32 {
        var byte = base.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        if byte < 0x80 { return UInt32(byte) }
        var result = UInt32(byte & 0x7F)
        var shift: UInt32 = 7
        repeat {
            byte = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            result |= UInt32(byte & 0x7F) << shift
            shift += 7
        } while byte >= 0x80
        return result
    }

    /// Enters block `b`, decoding only its first doc id: a probe usually needs a few of a block's docs.
    private func decode(block b: Int) {
        block = b
        docsOffset = dataStart + (b == 0 ? 0 : Int(skipField(b - 1, 4)))
        count = b == blockCount - 1 ? df - b * SegmentFormat.blockSize : SegmentFormat.blockSize
        let first = readVarint(&docsOffset)
        docs[0] = b == 0 ? first : lastDoc(b - 1) &+ first
        docsDecoded = 1
        freqsDecoded = false
        index = 0
        doc = docs[0]
        if blockCount == 1 {
            // Positions follow the single block's frequencies, so their start is known only after decoding them.
            decodeFreqs()
            positionsBase = freqsEnd
        }
        positionsOffset = positionsBase + (blockCount == 1 ? 0 : Int(skipField(b, 8)))
        positionsDecoded = 0
    }

    private var freqsEnd = 0

    /// The current block's doc id at `i`, decoding up to it if needed.
    @inline(__always)
    private func docID(at i: Int) -> UInt32 {
        if i >= docsDecoded { decodeDocs(through: i) }
        return docs[i]
    }

    /// Decodes doc ids through `last`, at least 32 more (or to the block's end): one call per doc would cost
    /// more than decoding the whole block.
    private func decodeDocs(through last: Int) {
        var offset = docsOffset
        var previous = docs[docsDecoded - 1]
        var i = docsDecoded
        let last = min(count - 1, max(last, i + 31))
        while i <= last {
            previous &+= readVarint(&offset)
            docs[i] = previous
            i += 1
        }
        docsDecoded = i
        docsOffset = offset
    }

    @inline(__always)
    private func ensureAllDocs() {
        if docsDecoded < count { decodeDocs(through: count - 1) }
    }

    @inline(__always)
    private func ensureFreqs() {
        if !freqsDecoded { decodeFreqs() }
    }

    /// Frequencies follow the block's doc ids, so those are decoded first.
    private func decodeFreqs() {
        ensureAllDocs()
        var offset = docsOffset
        for i in 0..<count { freqs[i] = readVarint(&offset) }
        freqsEnd = offset
        freqsDecoded = true
    }

    @inline(__always)
    func next() {
        index += 1
        if index < count {
            doc = docID(at: index)
        } else if block + 1 < blockCount {
            decode(block: block + 1)
        } else {
            doc = DocCursor.exhausted
        }
    }

    /// The first block from `b` on whose last doc is ≥ `target`, or `blockCount`: galloping then binary search
    /// over the skip table, since a probe from a rare lead often jumps hundreds of blocks of a frequent term.
    @inline(__always)
    private func firstBlock(from b: Int, reaching target: UInt32) -> Int {
        var low = b
        if low >= blockCount || lastDoc(low) >= target { return low }
        // Invariant: every block before `low` ends before `target`.
        var step = 1
        var high = low + 1
        while high < blockCount && lastDoc(high) < target {
            low = high + 1
            high += step
            step <<= 1
        }
        if high >= blockCount {
            high = blockCount - 1
            if low > high || lastDoc(high) < target { return blockCount }
        }
        while low < high {
            let mid = (low + high) / 2
            if lastDoc(mid) < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    override func advance(to target: UInt32) {
        if target <= doc { return }
        if lastDoc(block) < target {
            let b = firstBlock(from: block + 1, reaching: target)
            if b == blockCount {
                doc = DocCursor.exhausted
                return
            }
            decode(block: b)
        }
        while docID(at: index) < target { index += 1 }
        doc = docs[index]
    }

    var termFrequency: UInt32 {
        ensureFreqs()
        return freqs[index]
    }

    override func score() -> Double {
        ensureFreqs()
        return termWeight.score(tf: freqs[index], length: UInt32(truncatingIfNeeded: lengths.value(Int(doc), in: base)))
    }

    override var maxScore: Double { isScored ? cachedMaxScore : 0 }

    override var cost: Int { df }

    /// The best score any posting of block `b` can have: the best of its impacts.
    private func blockBound(_ b: Int) -> Double {
        guard blockCount > 1 else { return termWeight.score(tf: singleMaxTf, length: singleMinLength) }
        var best = 0.0
        for k in 0..<SegmentFormat.impactsPerBlock {
            let tf = skipField(b, SegmentFormat.impactsOffset + 8 * k)
            if tf == 0 { break }
            best = max(best, termWeight.score(tf: tf, length: skipField(b, SegmentFormat.impactsOffset + 8 * k + 4)))
        }
        return best
    }

    override func upperBound(from: UInt32, to: UInt32) -> Double {
        guard isScored else { return 0 }
        shallowBlock = firstBlock(from: shallowBlock, reaching: from)
        var b = shallowBlock
        var best = 0.0
        while b < blockCount {
            if b > 0 && lastDoc(b - 1) &+ 1 >= to { break }
            best = max(best, blockBound(b))
            if lastDoc(b) &+ 1 >= to { break }
            b += 1
        }
        return best
    }

    /// Moves past the rest of the current block and any following blocks while their bound is below `minimum`,
    /// without decoding them, stopping at the first block that can reach `minimum` or at the first doc ≥ `end`
    /// (a low block reaching past the window keeps its later docs for the next windows).
    private func skipLowBlocks(until end: UInt32, minimum: Double) {
        var b = block
        while blockBound(b) < minimum {
            if lastDoc(b) >= end {
                if b != block { decode(block: b) }
                while docID(at: index) < end { index += 1 }
                doc = docs[index]
                return
            }
            b += 1
            if b == blockCount {
                doc = DocCursor.exhausted
                return
            }
        }
        if b != block { decode(block: b) }
    }

    /// The hot loop: walks decoded blocks with local copies of the cursor state (class-property accesses would
    /// each pay an exclusivity check) and adds each posting's BM25 straight into the window's buffers. Blocks whose
    /// bound is below `minimum` are passed over undecoded.
    override func collect(until end: UInt32, into window: ScoreWindow, bit: UInt64, minimum: Double) {
        advance(to: window.base)
        guard doc < end else { return }
        let scored = isScored
        let pruning = scored && minimum > 0
        if pruning {
            skipLowBlocks(until: end, minimum: minimum)
            guard doc < end else { return }
        }
        if scored { ensureFreqs() } else { ensureAllDocs() }
        let windowBase = window.base
        let scores = window.scores, masks = window.masks, occupied = window.occupied
        let docs = self.docs, freqs = self.freqs
        let weight = termWeight.weight, c1 = termWeight.c1, c2 = termWeight.c2
        let lengths = self.lengths
        let segmentBytes = base
        var i = index
        var n = count
        var d = doc
        while d < end {
            let slot = Int(d &- windowBase)
            occupied[slot >> 6] |= 1 << UInt64(slot & 63)
            masks[slot] |= bit
            if scored {
                let f = Double(freqs[i])
                let length = Double(lengths.value(Int(d), in: segmentBytes))
                scores[slot] += weight * f / (f + c1 + c2 * length)
            }
            i += 1
            if i < n {
                d = docs[i]
            } else if block + 1 < blockCount {
                decode(block: block + 1)
                if pruning {
                    skipLowBlocks(until: end, minimum: minimum)
                    if doc >= end {
                        d = doc
                        i = index
                        break
                    }
                }
                if scored { ensureFreqs() } else { ensureAllDocs() }
                i = index
                n = count
                d = doc
            } else {
                d = DocCursor.exhausted
            }
        }
        index = i
        doc = d
    }

    /// The positions of the current document within its field, ascending.
    func positions(into out: inout [UInt32]) {
        ensureFreqs()
        out.removeAll(keepingCapacity: true)
        // Skipping the positions of the docs passed over: count varints by their last bytes (high bit clear)
        // rather than decode them.
        var skip = 0
        while positionsDecoded < index {
            skip += Int(freqs[positionsDecoded])
            positionsDecoded += 1
        }
        var offset = positionsOffset
        while skip > 0 {
            if base.load(fromByteOffset: offset, as: UInt8.self) < 0x80 { skip -= 1 }
            offset += 1
        }
        positionsOffset = offset
        var position: UInt32 = 0
        for _ in 0..<freqs[index] {
            position &+= readVarint(&positionsOffset)
            out.append(position)
        }
        positionsDecoded += 1
    }
}
