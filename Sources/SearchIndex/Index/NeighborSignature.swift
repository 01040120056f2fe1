/// A byte stored with each position of a scored field: four bits of a hash of the term before it and four of the
/// term after it in the field.
///
/// A phrase reads its rarest term's postings and, before probing any other term, keeps only the documents where
/// one of that term's occurrences has the phrase's neighbours' hashes next to it: the other terms' postings (a
/// frequent word's are long) are then entered about once per sixteen candidates instead of at every candidate.
/// A match of hashes is only a candidate; positions decide.
///
/// The bits come from the term's key (field byte and token) as `TermHashTable` hashes it, which indexing computes
/// anyway: that hash is part of the segment format.
enum NeighborSignature {
    /// The hash bits of a term key.
    static func nibble(key: [UInt8]) -> UInt8 {
        key.withUnsafeBufferPointer { nibble(hash: TermHashTable.hash($0)) }
    }

    /// The hash bits of a term whose `TermHashTable` hash is `hash`.
    @inline(__always)
    static func nibble(hash: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: hash >> 40) & 0x0F
    }

    /// The signature of an occurrence between terms hashed `previous` and `next` (0 where the field starts or
    /// ends: any value would do, as positions decide).
    @inline(__always)
    static func make(previous: UInt8, next: UInt8) -> UInt8 {
        previous | next << 4
    }
}
