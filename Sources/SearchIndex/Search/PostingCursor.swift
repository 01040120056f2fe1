/// Iterates one term's postings in one segment, block by block, decoding a block's doc ids only as far as a
/// document in it is needed (from the block's jump table on, when a probe's target lies beyond the decoded ones;
/// in a bitmap block a probe finds its doc and index directly); frequencies are read from the packed block at the
/// current index, and positions from the positions jump before it.
final class PostingCursor: DocCursor {
    private let base: UnsafeRawPointer
    let df: Int
    private let blockCount: Int
    /// Where the term's impacts start (after their count) and how many there are.
    private let termImpactsStart: Int
    private let termImpactCount: Int
    /// The skip table's parts: lastDoc and data end per block, then positionsStart, then impacts.
    private let skipStart: Int
    private let positionsTableStart: Int
    private let impactsTableStart: Int
    private let dataStart: Int
    private let positionsBase: Int
    private let lengths: PackedColumn
    private let termWeight: TermWeight
    /// The last doc of a single-block term, read from its header (such terms have no skip table).
    private var singleLastDoc: UInt32 = 0

    private var block = -1
    private var shallowBlock = 0
    private let docs: UnsafeMutablePointer<UInt32>
    private var count = 0
    private var index = 0
    /// The current block's packed doc-id deltas and tf − 1 values.
    private var packedDocs: UnsafeRawPointer
    private var docWidth = 0
    private var docMask: UInt64 = 0
    /// The current block's jump table: the doc at every `jumpInterval`-th index, as an offset from `blockBase`.
    private var packedJumps: UnsafeRawPointer
    private var jumpWidth = 0
    private var jumpMask: UInt64 = 0
    private var jumpCount = 0
    /// The previous block's last doc (0 for the first block), which the jump table's offsets are from.
    private var blockBase: UInt32 = 0
    /// Whether the current block's doc ids are a `DocBitmap` (at `packedDocs`) whose bit 0 is `bitmapStart`.
    private(set) var isBitmap = false
    private var bitmapStart: UInt32 = 0
    /// The current block's positions jumps: where the positions of the doc at every `jumpInterval`-th index
    /// start, from `blockPositionsStart`.
    private var packedPositionJumps: UnsafeRawPointer
    private var positionJumpWidth = 0
    private var positionJumpMask: UInt64 = 0
    /// Where the current block's positions start, once read (-1 before): an AND probe never needs it, and the
    /// positions table is a cache line of its own.
    private var blockPositionsStart = -1
    private var packedFreqs: UnsafeRawPointer
    private var freqWidth = 0
    private var freqMask: UInt64 = 0
    private var positionsOffset = 0
    /// The current doc's positions once `decodePositions()` read them: a buffer of the cursor's own, so a phrase
    /// checks its terms' positions in place instead of copying them into arrays (whose uniqueness and exclusivity
    /// checks cost more than the decoding).
    private var positionBuffer: UnsafeMutablePointer<UInt32>
    private var signatureBuffer: UnsafeMutablePointer<UInt8>
    private var positionCapacity = 16
    /// The sum of the bytes `touchLengths` loaded; never read.
    private var touched: UInt64 = 0
    private var positionsDecoded = 0
    /// Doc ids of the current block are decoded up to `docsDecoded`, from the current index or a jump point
    /// before it (those before it are stale): skipping (AND probes, filters) needs only some of them, so the rest
    /// are decoded when a later doc is first asked for.
    private var docsDecoded = 0
    private lazy var cachedMaxScore: Double = {
        var offset = termImpactsStart
        var best = 0.0
        for _ in 0..<termImpactCount {
            let tf = readVarint(&offset)
            best = max(best, termWeight.score(tf: tf, length: readVarint(&offset)))
        }
        return best
    }()

    /// A cursor over `info`'s postings; `field` selects the length column for BM25 (nil: unscored filter).
    init(segment: SegmentReader, info: TermInfo, field: Field?, weight: TermWeight?) {
        base = segment.base
        df = info.df
        blockCount = (info.df + SegmentFormat.blockSize - 1) / SegmentFormat.blockSize
        var offset = info.postingsOffset
        termImpactCount = Int(Self.readVarint(base, &offset))
        termImpactsStart = offset
        for _ in 0..<(2 * termImpactCount) { _ = Self.readVarint(base, &offset) }
        skipStart = offset
        positionsTableStart = skipStart + blockCount * SegmentFormat.boundsEntrySize
        impactsTableStart = positionsTableStart + blockCount * SegmentFormat.positionsEntrySize
        lengths = field.map { segment.lengths($0) } ?? PackedColumn(start: 0, width: 1, base: 0)
        termWeight = weight ?? TermWeight(boost: 0, idf: 0, k1: 1.2, b: 0.75, averageLength: 1)
        docs = .allocate(capacity: SegmentFormat.blockSize)
        positionBuffer = .allocate(capacity: positionCapacity)
        signatureBuffer = .allocate(capacity: positionCapacity)
        if blockCount == 1 {
            singleLastDoc = Self.readVarint(base, &offset)
            dataStart = offset
            positionsBase = 0  // positions follow the single block's data: see `decode(block:)`
        } else {
            dataStart = skipStart + blockCount * SegmentFormat.skipEntrySize
            let dataLength = Int(UInt32(littleEndian: segment.base.loadUnaligned(
                fromByteOffset: skipStart + (blockCount - 1) * SegmentFormat.boundsEntrySize + 4, as: UInt32.self)))
            positionsBase = dataStart + dataLength
        }
        packedDocs = base
        packedFreqs = base
        packedJumps = base
        packedPositionJumps = base
        super.init(isScored: weight != nil && field != nil)
        decode(block: 0)
    }

    deinit {
        docs.deallocate()
        positionBuffer.deallocate()
        signatureBuffer.deallocate()
    }

    @inline(__always)
    private func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    private func lastDoc(_ block: Int) -> UInt32 {
        blockCount == 1 ? singleLastDoc : uint32(at: skipStart + block * SegmentFormat.boundsEntrySize)
    }

    /// Where block `block`'s data ends, from the first block's start.
    @inline(__always)
    private func dataEnd(_ block: Int) -> Int {
        Int(uint32(at: skipStart + block * SegmentFormat.boundsEntrySize + 4))
    }

    /// Field `field` (0: tf, 4: length) of impact `k` of block `block`.
    @inline(__always)
    private func impact(_ block: Int, _ k: Int, _ field: Int) -> UInt32 {
        uint32(at: impactsTableStart + block * SegmentFormat.impactsEntrySize + 8 * k + field)
    }

    @inline(__always)
    private func readVarint(_ offset: inout Int) -> UInt32 {
        Self.readVarint(base, &offset)
    }

    /// A varint of up to 64 bits: position entries (delta << 8 | signature) need more than 32.
    @inline(__always)
    private static func readVarint64(_ base: UnsafeRawPointer, _ offset: inout Int) -> UInt64 {
        var byte = base.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        var result = UInt64(byte & 0x7F)
        var shift: UInt64 = 7
        while byte >= 0x80 {
            byte = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            shift += 7
        }
        return result
    }

    @inline(__always)
    private static func readVarint(_ base: UnsafeRawPointer, _ offset: inout Int) -> UInt32 {
        UInt32(truncatingIfNeeded: readVarint64(base, &offset))
    }

    /// Enters block `b`, decoding only its first doc id: a probe usually needs a few of a block's docs.
    private func decode(block b: Int) {
        block = b
        let start = dataStart + (b == 0 ? 0 : dataEnd(b - 1))
        count = b == blockCount - 1 ? df - b * SegmentFormat.blockSize : SegmentFormat.blockSize
        let docHeader = base.load(fromByteOffset: start, as: UInt8.self)
        isBitmap = docHeader == SegmentFormat.bitmapBlock
        docWidth = isBitmap ? 0 : Int(docHeader)
        freqWidth = Int(base.load(fromByteOffset: start + 1, as: UInt8.self))
        jumpWidth = Int(base.load(fromByteOffset: start + 2, as: UInt8.self))
        positionJumpWidth = Int(base.load(fromByteOffset: start + 3, as: UInt8.self))
        docMask = BitPacking.mask(width: docWidth)
        freqMask = BitPacking.mask(width: freqWidth)
        jumpMask = BitPacking.mask(width: jumpWidth)
        positionJumpMask = BitPacking.mask(width: positionJumpWidth)
        jumpCount = (count - 1) / SegmentFormat.jumpInterval
        packedJumps = base + start + SegmentFormat.blockHeaderSize
        packedPositionJumps = packedJumps + BitPacking.byteCount(count: jumpCount, width: jumpWidth)
        packedDocs = packedPositionJumps + BitPacking.byteCount(count: jumpCount, width: positionJumpWidth)
        blockBase = b == 0 ? 0 : lastDoc(b - 1)
        if isBitmap {
            bitmapStart = b == 0 ? 0 : blockBase + 1
            packedFreqs = packedDocs + DocBitmap.byteCount(bits: Int(lastDoc(b) - bitmapStart) + 1)
            docs[0] = bitmapStart &+ UInt32(DocBitmap.nextSetBit(from: 0, in: packedDocs))
        } else {
            packedFreqs = packedDocs + BitPacking.byteCount(count: count, width: docWidth)
            docs[0] = blockBase &+ BitPacking.value(at: 0, width: docWidth, mask: docMask, in: packedDocs)
        }
        docsDecoded = 1
        index = 0
        doc = docs[0]
        blockPositionsStart = -1
        positionsDecoded = 0
    }

    /// The current block's doc id at `i`, decoding up to it if needed.
    @inline(__always)
    private func docID(at i: Int) -> UInt32 {
        if i >= docsDecoded { decodeDocs(through: i) }
        return docs[i]
    }

    /// Decodes doc ids through `last`, at least 32 more (or to the block's end): one call per doc would cost
    /// more than decoding the whole block.
    private func decodeDocs(through last: Int) {
        var previous = docs[docsDecoded - 1]
        let last = min(count - 1, max(last, docsDecoded + 31))
        let packed = packedDocs, width = docWidth, mask = docMask
        if isBitmap {
            let start = bitmapStart
            for i in docsDecoded...last {
                previous = start &+ UInt32(DocBitmap.nextSetBit(from: Int(previous &- start) &+ 1, in: packed))
                docs[i] = previous
            }
            docsDecoded = last + 1
            return
        }
        for i in docsDecoded...last {
            previous &+= BitPacking.value(at: i, width: width, mask: mask, in: packed)
            docs[i] = previous
        }
        docsDecoded = last + 1
    }

    @inline(__always)
    private func ensureAllDocs() {
        if docsDecoded < count { decodeDocs(through: count - 1) }
    }

    @inline(__always)
    private func frequency(at i: Int) -> UInt32 {
        BitPacking.value(at: i, width: freqWidth, mask: freqMask, in: packedFreqs) &+ 1
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
        if docs[docsDecoded - 1] >= target {
            while docs[index] < target { index += 1 }
        } else if isBitmap {
            let bit = DocBitmap.nextSetBit(from: Int(target &- bitmapStart), in: packedDocs)
            index = DocBitmap.rank(of: bit, in: packedDocs)
            docs[index] = bitmapStart &+ UInt32(bit)
            docsDecoded = index + 1
        } else {
            jump(toward: target)
            index = docs[docsDecoded - 1] >= target ? docsDecoded - 1 : decodeDocs(reaching: target)
        }
        doc = docs[index]
    }

    /// Restarts decoding at the last jump point past the decoded docs whose doc is ≤ `target`, if any: a frequent
    /// term probed at a rare term's candidates would otherwise decode about half a block per probe.
    @inline(__always)
    private func jump(toward target: UInt32) {
        let interval = SegmentFormat.jumpInterval
        // Jump point k (1...jumpCount) is index k × interval; the first one past the decoded docs:
        var k = (docsDecoded + interval - 1) / interval
        var found: UInt32 = 0
        var point = 0
        while k <= jumpCount {
            let jumpDoc = blockBase &+ BitPacking.value(at: k - 1, width: jumpWidth, mask: jumpMask, in: packedJumps)
            if jumpDoc > target { break }
            found = jumpDoc
            point = k
            k += 1
        }
        guard point > 0 else { return }
        let i = point * interval
        docs[i] = found
        docsDecoded = i + 1
        index = i
    }

    /// Decodes doc ids up to the first ≥ `target` (the block's last doc is ≥ `target`) and returns its index:
    /// probed at a rare term's candidates, a frequent term passes over a few dozen docs each time, and comparing
    /// while decoding saves a second pass over them.
    @inline(__always)
    private func decodeDocs(reaching target: UInt32) -> Int {
        var previous = docs[docsDecoded - 1]
        var i = docsDecoded
        let packed = packedDocs, width = docWidth, mask = docMask
        repeat {
            previous &+= BitPacking.value(at: i, width: width, mask: mask, in: packed)
            docs[i] = previous
            i += 1
        } while previous < target
        docsDecoded = i
        return i - 1
    }

    /// From skip data alone: a frequent term probed at a rare lead's candidates would otherwise decode a block to
    /// find each window's start.
    override func firstCandidate(from target: UInt32) -> UInt32 {
        if target <= doc { return doc }
        if lastDoc(block) >= target { return target }
        shallowBlock = firstBlock(from: max(shallowBlock, block + 1), reaching: target)
        guard shallowBlock < blockCount else { return DocCursor.exhausted }
        return max(target, lastDoc(shallowBlock - 1) &+ 1)
    }

    var termFrequency: UInt32 { frequency(at: index) }

    /// Loads the field lengths of the current doc and up to `limit` − 1 docs after it in the current block, and
    /// returns the doc after the last of them. A rare lead scores every candidate, each a random read of the length
    /// column; loads issued together are served in parallel instead of one candidate after another.
    func touchLengths(limit: Int) -> UInt32 {
        let upcoming = upcomingDocs(limit: limit)
        guard let last = upcoming.last else { return DocCursor.exhausted }
        var sum: UInt64 = 0
        for doc in upcoming { sum &+= UInt64(bitPattern: lengths.value(Int(doc), in: base)) }
        touched &+= sum
        return last &+ 1
    }

    /// The current doc and up to `limit` − 1 docs after it in the current block, decoding them if needed.
    func upcomingDocs(limit: Int) -> UnsafeBufferPointer<UInt32> {
        guard doc != DocCursor.exhausted else { return UnsafeBufferPointer(start: docs, count: 0) }
        let last = min(count - 1, index + limit - 1)
        if last >= docsDecoded { decodeDocs(through: last) }
        return UnsafeBufferPointer(start: docs + index, count: last - index + 1)
    }

    /// One past the last doc of the current block (`exhausted` once past the last block).
    var currentBlockEnd: UInt32 {
        let last = lastDoc(block)
        return doc == DocCursor.exhausted || last >= DocCursor.exhausted - 1 ? DocCursor.exhausted : last + 1
    }

    override func score() -> Double {
        termWeight.score(
            tf: frequency(at: index), length: UInt32(truncatingIfNeeded: lengths.value(Int(doc), in: base)))
    }

    override var maxScore: Double { isScored ? cachedMaxScore : 0 }

    override var cost: Int { df }

    /// The best score any posting of block `b` can have: the best of its impacts.
    private func blockBound(_ b: Int) -> Double {
        guard blockCount > 1 else { return cachedMaxScore }
        var best = 0.0
        for k in 0..<SegmentFormat.impactsPerBlock {
            let tf = impact(b, k, 0)
            if tf == 0 { break }
            best = max(best, termWeight.score(tf: tf, length: impact(b, k, 4)))
        }
        return best
    }

    override func upperBound(from: UInt32, to: UInt32) -> Double {
        guard isScored else { return 0 }
        // Callers may bound a range before an earlier one (a phrase bounding its blocks for another cursor): then
        // the search restarts at the current block, as no doc before it can still be reported.
        if shallowBlock > block && lastDoc(shallowBlock - 1) >= from { shallowBlock = block }
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

    /// Moves to the next posting; on entering a block whose impacts cannot reach `minimum`, on past it and any
    /// such blocks after it without decoding them.
    override func nextCandidate(minimum: Double) {
        next()
        if index == 0 && minimum > 0 && doc != DocCursor.exhausted {
            skipLowBlocks(until: DocCursor.exhausted, minimum: minimum)
        }
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
        ensureAllDocs()
        let windowBase = window.base
        let scores = window.scores, masks = window.masks, occupied = window.occupied
        let docs = self.docs
        var packedFreqs = self.packedFreqs, freqWidth = self.freqWidth, freqMask = self.freqMask
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
                let f = Double(BitPacking.value(at: i, width: freqWidth, mask: freqMask, in: packedFreqs) &+ 1)
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
                ensureAllDocs()
                packedFreqs = self.packedFreqs
                freqWidth = self.freqWidth
                freqMask = self.freqMask
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

    /// The `NeighborSignature` of each of the current document's positions, once `decodePositions()` read them.
    var decodedSignatures: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: signatureBuffer, count: Int(frequency(at: index)))
    }

    /// The positions of the current document within its field, ascending, valid until the cursor reads positions
    /// of another document (again for the same one, they are not read twice), with their signatures in
    /// `decodedSignatures`.
    func decodePositions() -> UnsafeBufferPointer<UInt32> {
        let tf = Int(frequency(at: index))
        if positionsDecoded == index + 1 { return UnsafeBufferPointer(start: positionBuffer, count: tf) }
        if blockPositionsStart < 0 {
            blockPositionsStart = blockCount == 1
                ? packedFreqs - base + BitPacking.byteCount(count: count, width: freqWidth)
                : positionsBase + Int(uint32(at: positionsTableStart + block * SegmentFormat.positionsEntrySize))
            positionsOffset = blockPositionsStart
        }
        // From the positions jump at or before the current doc, when it is past the positions already read.
        let point = index / SegmentFormat.jumpInterval
        if point > 0 && point * SegmentFormat.jumpInterval > positionsDecoded {
            positionsDecoded = point * SegmentFormat.jumpInterval
            positionsOffset = blockPositionsStart + Int(BitPacking.value(
                at: point - 1, width: positionJumpWidth, mask: positionJumpMask, in: packedPositionJumps))
        }
        // Skipping the positions of the docs passed over: count varints by their last bytes (high bit clear)
        // rather than decode them.
        var skip = 0
        if positionsDecoded < index {
            // tf − 1 is packed: each doc passed over has one position more than its packed value.
            skip = index - positionsDecoded
            if freqWidth > 0 {
                let packed = packedFreqs, width = freqWidth, mask = freqMask
                for i in positionsDecoded..<index {
                    skip += Int(BitPacking.value(at: i, width: width, mask: mask, in: packed))
                }
            }
            positionsDecoded = index
        }
        var offset = positionsOffset
        // Eight bytes at a time while at least eight varints remain (a varint cut at the word's end is counted
        // by its last byte in the next word), then byte by byte. Reads past the positions stay inside the file,
        // as in `BitPacking`.
        while skip >= 8 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            skip -= (~word & 0x8080_8080_8080_8080).nonzeroBitCount
            offset += 8
        }
        while skip > 0 {
            if base.load(fromByteOffset: offset, as: UInt8.self) < 0x80 { skip -= 1 }
            offset += 1
        }
        if tf > positionCapacity {
            positionBuffer.deallocate()
            signatureBuffer.deallocate()
            positionCapacity = max(tf, 2 * positionCapacity)
            positionBuffer = .allocate(capacity: positionCapacity)
            signatureBuffer = .allocate(capacity: positionCapacity)
        }
        var position: UInt32 = 0
        for k in 0..<tf {
            let entry = Self.readVarint64(base, &offset)
            position &+= UInt32(truncatingIfNeeded: entry >> 8)
            positionBuffer[k] = position
            signatureBuffer[k] = UInt8(truncatingIfNeeded: entry)
        }
        positionsOffset = offset
        positionsDecoded = index + 1
        return UnsafeBufferPointer(start: positionBuffer, count: tf)
    }
}
