/// Layout constants of a segment file. All integers little-endian.
///
/// ```
/// "FFSIDXv3"                                   8-byte magic
/// postings of every term, in term order:
///   header       the term's impacts (their count, then tf and length of each, varints; at most `termImpacts`),
///                then for one block (df ≤ 128) its last doc as a varint — no skip table for the long tail of rare
///                terms; for several blocks a skip table of blocks × 44 bytes: lastDoc u32, the block's data end u32
///                (from the first block's start), positionsStart u32, then `impactsPerBlock` impacts (tf u32,
///                length u32)
///   block data   per block of ≤128 docs: the bit widths of its doc-id deltas and of its tf − 1 values (u8 each),
///                then both bit-packed (`BitPacking`); the first delta is relative to the previous block's last doc
///   positions    (scored fields only) per doc: position deltas (varint)
/// dictionary     blocks of 32 terms; each entry: shared-prefix length, suffix length, suffix, df, postings offset
///                (varints); the first entry of a block has no shared prefix
/// dict index     per dictionary block: its offset u64
/// doc store      id offsets (docs+1) × u32, id bytes, ids' sort order docs × u32 (lookup by id), then the
///                columns created, modified, name length, text length, each packed: width u8 (1, 2, 4 or 8),
///                base i64, docs × width bytes of value − base
/// footer         docs u32, terms u32, dictBlocks u32, dictStart u64, dictIndexStart u64, docStoreStart u64,
///                totalNameLength u64, totalTextLength u64, checksum u64 (of everything before it), "FFSIDXv3"
/// ```
/// Impacts bound a block's (or a term's) best BM25 score for any collection statistics, which is what block-max
/// and MaxScore pruning need (a score grows with tf and shrinks with field length); the term's own impacts make
/// its bound a few divisions instead of a pass over its skip table.
enum SegmentFormat {
    static let magic: [UInt8] = Array("FFSIDXv3".utf8)
    /// Recorded in the manifest's fingerprint, so an index written in an older format is refused as
    /// `incompatible` (the search service then rebuilds it) instead of failing segment by segment.
    static let version: UInt8 = 3
    static let blockSize = 128
    static let impactsPerBlock = 4
    static let termImpacts = 8
    static let impactsOffset = 12
    static let skipEntrySize = impactsOffset + 8 * impactsPerBlock
    static let dictBlockTerms = 32
    static let footerSize = 4 * 3 + 8 * 5 + 8 + 8
}
