/// Fixed-width bit packing for postings blocks (doc-id deltas, term frequencies minus one).
///
/// Any value of a packed run is read in place with one unaligned load, so a probe reads the one frequency it needs
/// without decoding the block, and a block of small values costs a few bits per value instead of a varint byte.
/// Values are stored least significant bit first in `byteCount(count:width:)` bytes. Reads load 8 bytes at a
/// time and so may touch up to 7 bytes past a run; a segment always has its dictionary and footer after the
/// postings, so those bytes are inside the file.
enum BitPacking {
    static let maxWidth = 32

    /// The fewest bits that hold every value (0 when all are 0).
    static func width(_ values: some Sequence<UInt32>) -> Int {
        UInt32.bitWidth - values.reduce(0, |).leadingZeroBitCount
    }

    static func byteCount(count: Int, width: Int) -> Int {
        (count * width + 7) / 8
    }

    static func mask(width: Int) -> UInt64 {
        (1 << UInt64(width)) - 1
    }

    static func append(_ values: some Sequence<UInt32>, width: Int, to out: inout ByteWriter) {
        precondition((0...maxWidth).contains(width), "bit width out of range")
        var pending: UInt64 = 0
        var pendingBits = 0
        for value in values {
            pending |= UInt64(value) << UInt64(pendingBits)
            pendingBits += width
            while pendingBits >= 8 {
                out.append(UInt8(truncatingIfNeeded: pending))
                pending >>= 8
                pendingBits -= 8
            }
        }
        if pendingBits > 0 { out.append(UInt8(truncatingIfNeeded: pending)) }
    }

    /// Value `index` of a run of `width`-bit values at `run`; `mask` is `mask(width:)`.
    @inline(__always)
    static func value(at index: Int, width: Int, mask: UInt64, in run: UnsafeRawPointer) -> UInt32 {
        let bit = index &* width
        let word = UInt64(littleEndian: run.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
        return UInt32(truncatingIfNeeded: (word &>> UInt64(bit & 7)) & mask)
    }
}
