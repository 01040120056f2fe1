/// Streams terms in sorted order into the bytes of one immutable segment file.
///
/// Used both to flush the in-memory buffer and to merge segments, so there is one encoder and one format.
struct SegmentWriter {
    private var out = ByteWriter(capacity: 1 << 20)
    private var dictionary = ByteWriter()
    private var dictionaryBlocks: [UInt64] = []
    private var previousKey: [UInt8] = []
    private var termCount = 0
    private let nameLengths: [UInt32]
    private let textLengths: [UInt32]
    private var positionScratch = ByteWriter()
    private var impacts = ImpactBuilder()
    private var termImpacts = ImpactBuilder(limit: SegmentFormat.termImpacts)
    private var deltas: [UInt32] = []
    private var jumps: [UInt32] = []
    private var positionJumps: [UInt32] = []

    init(nameLengths: [UInt32], textLengths: [UInt32]) {
        self.nameLengths = nameLengths
        self.textLengths = textLengths
        out.append(contentsOf: SegmentFormat.magic)
    }

    /// Appends one term's postings. `positions` holds, doc after doc, `freqs[i]` ascending positions, and
    /// `signatures` the `NeighborSignature` of each (both empty for a field without positions).
    mutating func addTerm(
        _ key: some Collection<UInt8>, docs: [UInt32], freqs: [UInt32], positions: [UInt32], signatures: [UInt8]
    ) {
        precondition(!docs.isEmpty && docs.count == freqs.count, "a term needs postings")
        precondition(signatures.count == positions.count, "a signature per position")
        let field = Field(rawValue: key.first!)
        let lengths: [UInt32]? = field == .name ? nameLengths : field == .text ? textLengths : nil
        let hasPositions = field?.isScored ?? false
        let postingsOffset = out.count
        let blockCount = (docs.count + SegmentFormat.blockSize - 1) / SegmentFormat.blockSize
        for i in 0..<docs.count { termImpacts.add(tf: freqs[i], length: lengths.map { $0[Int(docs[i])] } ?? 1) }
        termImpacts.finishBlock()
        out.appendVarint(UInt32(termImpacts.impacts.count))
        for impact in termImpacts.impacts {
            out.appendVarint(impact.tf)
            out.appendVarint(impact.length)
        }
        let skipStart = out.count
        if blockCount == 1 {
            out.appendVarint(docs[docs.count - 1])
        } else {
            for _ in 0..<(blockCount * SegmentFormat.skipEntrySize) { out.append(0) }
        }
        let dataStart = out.count
        positionScratch = ByteWriter()
        var positionIndex = 0
        var previousDoc: UInt32 = 0
        for block in 0..<blockCount {
            let blockBase = previousDoc
            let lower = block * SegmentFormat.blockSize
            let upper = min(lower + SegmentFormat.blockSize, docs.count)
            let positionsStart = positionScratch.count
            positionJumps.removeAll(keepingCapacity: true)
            for i in lower..<upper {
                let tf = freqs[i]
                if blockCount > 1 { impacts.add(tf: tf, length: lengths.map { $0[Int(docs[i])] } ?? 1) }
                if hasPositions {
                    if i > lower && (i - lower) % SegmentFormat.jumpInterval == 0 {
                        positionJumps.append(UInt32(positionScratch.count - positionsStart))
                    }
                    var previousPosition: UInt32 = 0
                    for k in 0..<Int(tf) {
                        let position = positions[positionIndex + k]
                        let delta = UInt64(k == 0 ? position : position - previousPosition)
                        positionScratch.appendVarint(delta << 8 | UInt64(signatures[positionIndex + k]))
                        previousPosition = position
                    }
                    positionIndex += Int(tf)
                }
            }
            appendBlock(docs[lower..<upper], freqs: freqs[lower..<upper], base: blockBase, first: block == 0)
            previousDoc = docs[upper - 1]
            guard blockCount > 1 else { continue }
            let bounds = skipStart + block * SegmentFormat.boundsEntrySize
            out.setUInt32(docs[upper - 1], at: bounds)
            out.setUInt32(UInt32(out.count - dataStart), at: bounds + 4)
            let positionsTable = skipStart + blockCount * SegmentFormat.boundsEntrySize
            out.setUInt32(UInt32(positionsStart), at: positionsTable + block * SegmentFormat.positionsEntrySize)
            let impactsEntry = positionsTable + blockCount * SegmentFormat.positionsEntrySize
                + block * SegmentFormat.impactsEntrySize
            impacts.finishBlock()
            for (k, impact) in impacts.impacts.enumerated() {
                out.setUInt32(impact.tf, at: impactsEntry + 8 * k)
                out.setUInt32(impact.length, at: impactsEntry + 8 * k + 4)
            }
        }
        out.appendBytes(positionScratch.bytes)
        appendDictionaryEntry(key, df: docs.count, postingsOffset: postingsOffset)
    }

    /// Appends one block's data (see `SegmentFormat`); `positionJumps` holds its positions jumps. `base` is the
    /// previous block's last doc (0 for the first block, whose bitmap then starts at doc 0 rather than 1).
    private mutating func appendBlock(
        _ docs: ArraySlice<UInt32>, freqs: ArraySlice<UInt32>, base: UInt32, first: Bool
    ) {
        deltas.removeAll(keepingCapacity: true)
        var previous = base
        for doc in docs {
            deltas.append(doc - previous)
            previous = doc
        }
        jumps.removeAll(keepingCapacity: true)
        for i in stride(from: docs.startIndex + SegmentFormat.jumpInterval, to: docs.endIndex,
                        by: SegmentFormat.jumpInterval) {
            jumps.append(docs[i] - base)
        }
        let tfs = freqs.lazy.map { $0 - 1 }
        let bitmapStart = first ? base : base + 1
        let deltaWidth = BitPacking.width(deltas), tfWidth = BitPacking.width(tfs)
        let jumpWidth = BitPacking.width(jumps), positionJumpWidth = BitPacking.width(positionJumps)
        let bitmapBits = Int(docs.last! - bitmapStart) + 1
        let isBitmap = bitmapBits < docs.count * deltaWidth + jumps.count * jumpWidth
        out.append(isBitmap ? SegmentFormat.bitmapBlock : UInt8(deltaWidth))
        out.append(UInt8(tfWidth))
        out.append(isBitmap ? 0 : UInt8(jumpWidth))
        out.append(UInt8(positionJumpWidth))
        if !isBitmap { BitPacking.append(jumps, width: jumpWidth, to: &out) }
        BitPacking.append(positionJumps, width: positionJumpWidth, to: &out)
        if isBitmap {
            DocBitmap.append(docs, from: bitmapStart, to: &out)
        } else {
            BitPacking.append(deltas, width: deltaWidth, to: &out)
        }
        BitPacking.append(tfs, width: tfWidth, to: &out)
    }

    private mutating func appendDictionaryEntry(_ key: some Collection<UInt8>, df: Int, postingsOffset: Int) {
        let keyBytes = Array(key)
        var shared = 0
        if termCount % SegmentFormat.dictBlockTerms == 0 {
            dictionaryBlocks.append(UInt64(dictionary.count))
        } else {
            let limit = min(previousKey.count, keyBytes.count)
            while shared < limit && previousKey[shared] == keyBytes[shared] { shared += 1 }
        }
        dictionary.appendVarint(UInt64(shared))
        dictionary.appendVarint(UInt64(keyBytes.count - shared))
        dictionary.append(contentsOf: keyBytes[shared...])
        dictionary.appendVarint(UInt64(df))
        dictionary.appendVarint(UInt64(postingsOffset))
        previousKey = keyBytes
        termCount += 1
    }

    /// A column of integers as offsets from its minimum in the fewest whole bytes (1, 2, 4 or 8).
    private mutating func appendColumn(_ values: [Int64]) {
        let base = values.min() ?? 0
        let span = UInt64(bitPattern: (values.max() ?? 0) &- base)
        let width = span < 1 << 8 ? 1 : span < 1 << 16 ? 2 : span < 1 << 32 ? 4 : 8
        out.append(UInt8(width))
        out.appendInt64(base)
        for value in values {
            let offset = UInt64(bitPattern: value &- base)
            for k in 0..<width { out.append(UInt8(truncatingIfNeeded: offset >> (8 * UInt64(k)))) }
        }
    }

    /// Appends the dictionary, doc store and footer, and returns the finished file.
    mutating func finish(
        externalIDs: [String], created: [Int64], modified: [Int64]
    ) -> [UInt8] {
        let docCount = externalIDs.count
        let dictStart = out.count
        out.appendBytes(dictionary.bytes)
        let dictIndexStart = out.count
        for offset in dictionaryBlocks { out.appendUInt64(offset) }
        let docStoreStart = out.count
        var idBytes: [UInt8] = []
        var idStarts: [Int] = [0]
        out.appendUInt32(0)
        for id in externalIDs {
            idBytes.append(contentsOf: id.utf8)
            idStarts.append(idBytes.count)
            out.appendUInt32(UInt32(idBytes.count))
        }
        out.appendBytes(idBytes)
        var order = Array(0..<docCount)
        idBytes.withUnsafeBufferPointer { bytes in
            order.sort { a, b in
                let aStart = idStarts[a], aEnd = idStarts[a + 1], bStart = idStarts[b], bEnd = idStarts[b + 1]
                let n = min(aEnd - aStart, bEnd - bStart)
                for i in 0..<n where bytes[aStart + i] != bytes[bStart + i] {
                    return bytes[aStart + i] < bytes[bStart + i]
                }
                return aEnd - aStart < bEnd - bStart
            }
        }
        for doc in order { out.appendUInt32(UInt32(doc)) }
        appendColumn(created)
        appendColumn(modified)
        appendColumn(nameLengths.map { Int64($0) })
        appendColumn(textLengths.map { Int64($0) })
        out.appendUInt32(UInt32(docCount))
        out.appendUInt32(UInt32(termCount))
        out.appendUInt32(UInt32(dictionaryBlocks.count))
        out.appendUInt64(UInt64(dictStart))
        out.appendUInt64(UInt64(dictIndexStart))
        out.appendUInt64(UInt64(docStoreStart))
        out.appendUInt64(nameLengths.reduce(0) { $0 + UInt64($1) })
        out.appendUInt64(textLengths.reduce(0) { $0 + UInt64($1) })
        out.appendUInt64(Checksum.of(out.bytes, count: out.count))
        out.append(contentsOf: SegmentFormat.magic)
        return out.bytes
    }
}
