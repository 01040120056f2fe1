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

    private func decode(block b: Int) {
        block = b
        var offset = dataStart + (b == 0 ? 0 : Int(skipField(b - 1, 4)))
        count = b == blockCount - 1 ? df - b * SegmentFormat.blockSize : SegmentFormat.blockSize
        var previous: UInt32 = b == 0 ? 0 : lastDoc(b - 1)
        for i in 0..<count {
            let delta = readVarint(&offset)
            previous = (b == 0 && i == 0) ? delta : previous &+ delta
            docs[i] = previous
        }
        for i in 0..<count { freqs[i] = readVarint(&offset) }
        index = 0
        doc = docs[0]
        if blockCount == 1 { positionsBase = offset }
        positionsOffset = positionsBase + (blockCount == 1 ? 0 : Int(skipField(b, 8)))
        positionsDecoded = 0
    }

    @inline(__always)
    func next() {
        index += 1
        if index < count {
            doc = docs[index]
        } else if block + 1 < blockCount {
            decode(block: block + 1)
        } else {
            doc = DocCursor.exhausted
        }
    }

    override func advance(to target: UInt32) {
        if target <= doc { return }
        if lastDoc(block) < target {
            var b = block + 1
            while b < blockCount && lastDoc(b) < target { b += 1 }
            if b == blockCount {
                doc = DocCursor.exhausted
                return
            }
            decode(block: b)
        }
        while docs[index] < target { index += 1 }
        doc = docs[index]
    }

    var termFrequency: UInt32 { freqs[index] }

    override func score() -> Double {
        termWeight.score(tf: freqs[index], length: UInt32(truncatingIfNeeded: lengths.value(Int(doc), in: base)))
    }

    override var maxScore: Double { isScored ? cachedMaxScore : 0 }

    private func blockBound(_ b: Int) -> Double {
        blockCount == 1
            ? termWeight.score(tf: singleMaxTf, length: singleMinLength)
            : termWeight.score(tf: skipField(b, 12), length: skipField(b, 16))
    }

    override func upperBound(from: UInt32, to: UInt32) -> Double {
        guard isScored else { return 0 }
        while shallowBlock < blockCount && lastDoc(shallowBlock) < from { shallowBlock += 1 }
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

    /// The hot loop: walks decoded blocks with local copies of the cursor state (class-property accesses would
    /// each pay an exclusivity check) and adds each posting's BM25 straight into the window's buffers.
    override func collect(until end: UInt32, into window: ScoreWindow, bit: UInt64) {
        advance(to: window.base)
        guard doc < end else { return }
        let windowBase = window.base
        let scores = window.scores, masks = window.masks, touched = window.touched
        var touchedCount = window.touchedCount
        let docs = self.docs, freqs = self.freqs
        let scored = isScored
        let weight = termWeight.weight, c1 = termWeight.c1, c2 = termWeight.c2
        let lengths = self.lengths
        let segmentBytes = base
        var i = index
        var n = count
        var d = doc
        while d < end {
            let slot = Int(d &- windowBase)
            if masks[slot] == 0 {
                touched[touchedCount] = Int32(slot)
                touchedCount += 1
            }
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
                i = 0
                n = count
                d = docs[0]
            } else {
                d = DocCursor.exhausted
            }
        }
        index = i
        doc = d
        window.touchedCount = touchedCount
    }

    /// The positions of the current document within its field, ascending.
    func positions(into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        while positionsDecoded < index {
            for _ in 0..<freqs[positionsDecoded] { _ = readVarint(&positionsOffset) }
            positionsDecoded += 1
        }
        var position: UInt32 = 0
        for _ in 0..<freqs[index] {
            position &+= readVarint(&positionsOffset)
            out.append(position)
        }
        positionsDecoded += 1
    }
}
