/// Layout constants of a segment file. All integers little-endian.
///
/// ```
/// "FFSIDXv2"                                   8-byte magic
/// postings of every term, in term order:
///   header       one block (df ≤ 128): lastDoc, maxTf, minLength as varints — no skip table for the long tail
///                of rare terms; several blocks: a skip table of blocks × 44 bytes: lastDoc u32, docDataEnd u32,
///                positionsStart u32, then `impactsPerBlock` impacts (tf u32, length u32)
///   block data   per block of ≤128 docs: doc-id deltas (varint, first relative to the previous block's last doc),
///                then term frequencies (varint)
///   positions    (scored fields only) per doc: position deltas (varint)
/// dictionary     blocks of 32 terms; each entry: shared-prefix length, suffix length, suffix, df, postings offset
///                (varints); the first entry of a block has no shared prefix
/// dict index     per dictionary block: its offset u64
/// doc store      id offsets (docs+1) × u32, id bytes, ids' sort order docs × u32 (lookup by id), then the
///                columns created, modified, name length, text length, each packed: width u8 (1, 2, 4 or 8),
///                base i64, docs × width bytes of value − base
/// footer         docs u32, terms u32, dictBlocks u32, dictStart u64, dictIndexStart u64, docStoreStart u64,
///                totalNameLength u64, totalTextLength u64, checksum u64 (of everything before it), "FFSIDXv1"
/// ```
/// Per-block `maxTf` and `minLength` bound the block's best BM25 score for any collection statistics, which is
/// what block-max pruning needs (a score grows with tf and shrinks with field length).
enum SegmentFormat {
    static let magic: [UInt8] = Array("FFSIDXv2".utf8)
    /// Recorded in the manifest's fingerprint, so an index written in an older format is refused as
    /// `incompatible` (the search service then rebuilds it) instead of failing segment by segment.
    static let version: UInt8 = 2
    static let blockSize = 128
    static let impactsPerBlock = 4
    static let impactsOffset = 12
    static let skipEntrySize = impactsOffset + 8 * impactsPerBlock
    static let dictBlockTerms = 32
    static let footerSize = 4 * 3 + 8 * 5 + 8 + 8
}
