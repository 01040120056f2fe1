/// An open-addressing hash table from term-key bytes to dense term ids, with all keys in one byte arena.
///
/// The in-memory buffer looks up every token it indexes; a `Dictionary<[UInt8], Int>` would allocate an array per
/// token and hash element by element. Here a lookup hashes the bytes once and compares with `memcmp`-like loops.
struct TermHashTable {
    private(set) var arena: [UInt8] = []
    private(set) var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Each slot: the key's hash in the high 32 bits, its id + 1 in the low 32 bits (0: empty), so most
    /// mismatches are rejected without touching the arena.
    private var slots: [UInt64]
    private var mask: Int

    init() {
        slots = [UInt64](repeating: 0, count: 1024)
        mask = 1023
    }

    var count: Int { hashes.count }

    /// The hash of term `id`'s key (`hash(_:)`).
    func hash(of id: Int) -> UInt64 {
        hashes[id]
    }

    func key(_ id: Int) -> ArraySlice<UInt8> {
        arena[starts[id]..<starts[id + 1]]
    }

    /// The id of `key`, inserting it if new.
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let hash = Self.hash(key)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = self.mask
        // One probe loop over raw buffers: this runs for every token indexed.
        let (found, free): (Int, Int) = slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                starts.withUnsafeBufferPointer { starts in
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return (-1, slot) }
                        if entry & 0xFFFF_FFFF_0000_0000 == tag {
                            let id = Int(entry & 0xFFFF_FFFF) - 1
                            let start = starts[id]
                            if starts[id + 1] - start == key.count
                                && (key.count == 0
                                    || memcmpEqual(arena.baseAddress! + start, key.baseAddress!, key.count))
                            {
                                return (id, slot)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if found >= 0 { return found }
        let id = hashes.count
        slots[free] = tag | UInt64(id + 1)
        hashes.append(hash)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    /// Term ids ordered by their key bytes (unsigned lexicographic), for writing the dictionary.
    func sortedIDs() -> [Int] {
        var order = Array(0..<count)
        arena.withUnsafeBufferPointer { arena in
            starts.withUnsafeBufferPointer { starts in
                order.sort { a, b in
                    let aStart = starts[a], aEnd = starts[a + 1], bStart = starts[b], bEnd = starts[b + 1]
                    let n = min(aEnd - aStart, bEnd - bStart)
                    var i = 0
                    while i < n {
                        let x = arena[aStart + i], y = arena[bStart + i]
                        if x != y { return x < y }
                        i += 1
                    }
                    return aEnd - aStart < bEnd - bStart
                }
            }
        }
        return order
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
        }
    }

    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(key.count)
        var i = 0
        let raw = UnsafeRawBufferPointer(key)
        while i + 8 <= key.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
            i += 8
        }
        while i < key.count {
            h = (h ^ UInt64(key[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
        if x != y { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
