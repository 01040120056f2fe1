/// Buffered documents by external id: an open-addressing table of id hashes to doc ids, verified against the ids.
///
/// Every add looks its id up (an add replaces a document with the same id), so this must be cheap: one hashed
/// probe of 8-byte slots, no per-id allocation, and a string comparison only when the hashes match.
struct IDTable {
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var count = 0

    /// The doc currently holding `id`, if any.
    func find(_ id: String, hash: UInt64, in ids: [String]) -> UInt32? {
        let mask = slots.count - 1
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let doc = UInt32(truncatingIfNeeded: entry) - 1
                if ids[Int(doc)] == id { return doc }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Points `id` at `doc`, replacing the previous holder's entry.
    mutating func set(_ id: String, hash: UInt64, doc: UInt32, in ids: [String]) {
        let mask = slots.count - 1
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag && ids[Int(UInt32(truncatingIfNeeded: entry) - 1)] == id {
                slots[slot] = tag | UInt64(doc + 1)
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = tag | UInt64(doc + 1)
        count += 1
        if count * 2 > slots.count { grow(ids) }
    }

    private mutating func grow(_ ids: [String]) {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for entry in old where entry != 0 {
            let doc = Int(UInt32(truncatingIfNeeded: entry) - 1)
            var slot = Int(truncatingIfNeeded: Self.hash(ids[doc])) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    static func hash(_ id: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
