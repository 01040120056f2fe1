/// Which dictionary block holds each term of a segment, by the term's hash: an exact lookup reads one slot and
/// scans one block, where a binary search over the blocks misses the cache at nearly every step of a large
/// segment, and a term absent from the segment is mostly refused by its slot alone.
///
/// Built when the segment is opened (the on-disk format is unchanged): open addressing at most half full, each slot
/// the upper 32 bits of the hash beside the block number + 1 (0: empty). Equal tags are only candidates; the
/// block scan decides.
final class TermSlots {
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int

    /// Empty slots for `termCount` terms, each then given by `insert`.
    init(termCount: Int) {
        var capacity = 16
        while capacity < 2 * termCount { capacity <<= 1 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    func insert(_ key: UnsafeBufferPointer<UInt8>, block: Int) {
        let hash = TermHashTable.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(block + 1)
    }

    deinit {
        slots.deallocate()
    }

    /// The first block holding a term with `key`'s hash for which `found` returns a value, or nil.
    @inline(__always)
    func first<T>(_ key: UnsafeBufferPointer<UInt8>, _ found: (Int) -> T?) -> T? {
        let hash = TermHashTable.hash(key)
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry >> 32 == tag, let value = found(Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1) { return value }
            slot = (slot + 1) & mask
        }
    }
}
