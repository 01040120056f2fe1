/// Doc ids of a dense postings block as a bitmap: bit k set when doc `start + k` has the term.
///
/// A word in most documents (the frequent half of a 2-term AND or phrase, probed at each of the rare word's
/// candidates) costs about one bit per document this way instead of a few bits of delta each, and a probe finds its
/// doc and that doc's index in the block with a bit scan and a popcount or two instead of summing deltas. Bits are
/// stored least significant first through the block's last doc. Reads load 8 bytes at a time and so may touch up to
/// 7 bytes past the bitmap (inside the file, as in `BitPacking`); they only use bits at or before a set bit.
enum DocBitmap {
    /// Bytes of a bitmap covering `bits` docs.
    static func byteCount(bits: Int) -> Int {
        (bits + 7) / 8
    }

    /// Appends the bitmap of `docs` (ascending, all ≥ `start`) through the last of them.
    static func append(_ docs: ArraySlice<UInt32>, from start: UInt32, to out: inout ByteWriter) {
        var bytes = [UInt8](repeating: 0, count: byteCount(bits: Int(docs.last! - start) + 1))
        for doc in docs {
            let bit = Int(doc - start)
            bytes[bit >> 3] |= 1 << UInt8(bit & 7)
        }
        out.appendBytes(bytes)
    }

    /// The first set bit at or after `bit`; one must exist (the block's last doc is set).
    @inline(__always)
    static func nextSetBit(from bit: Int, in bitmap: UnsafeRawPointer) -> Int {
        var bit = bit
        while true {
            let word = UInt64(littleEndian: bitmap.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                &>> UInt64(bit & 7)
            if word != 0 { return bit &+ word.trailingZeroBitCount }
            // 57 to 64 bits were examined; continue at the next byte boundary not yet seen.
            bit = (bit & ~7) &+ 56
        }
    }

    /// How many bits before `bit` are set: the index in the block of the doc at `bit`.
    @inline(__always)
    static func rank(of bit: Int, in bitmap: UnsafeRawPointer) -> Int {
        var count = 0
        var offset = 0
        while offset &+ 64 <= bit {
            count &+= UInt64(littleEndian: bitmap.loadUnaligned(fromByteOffset: offset &>> 3, as: UInt64.self))
                .nonzeroBitCount
            offset &+= 64
        }
        let rest = bit &- offset
        if rest > 0 {
            let word = UInt64(littleEndian: bitmap.loadUnaligned(fromByteOffset: offset &>> 3, as: UInt64.self))
            count &+= (word & ((1 << UInt64(rest)) &- 1)).nonzeroBitCount
        }
        return count
    }
}
