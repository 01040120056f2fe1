/// Layout constants of a segment file. All integers little-endian.
///
/// ```
/// "FFSIDXv6"                                   8-byte magic
/// postings of every term, in term order:
///   header       the term's impacts (their count, then tf and length of each, varints; at most `termImpacts`),
///                then for one block (df ≤ 128) its last doc as a varint — no skip table for the long tail of rare
///                terms; for several blocks a skip table in three parts: per block its lastDoc u32 and its data
///                end u32 (from the first block's start); per block its positionsStart u32; per block
///                `impactsPerBlock` impacts (tf u32, length u32). A probe reads only the first part (lastDoc and
///                data end side by side), so galloping over a frequent term's blocks touches a cache line where
///                one entry of all three would touch one per block or two
///   block data   per block of ≤128 docs, four u8: the bit width of its doc-id deltas (or `bitmapBlock`), of its
///                tf − 1 values, of its jump table and of its positions jumps; the jump table: the doc at every
///                `jumpInterval`-th index after the first (index 16, 32, … below the block's count), each as its
///                offset from the previous block's last doc (0 for the first block), empty in a bitmap block; the
///                positions jumps: for the same indexes, where that doc's positions start, from the block's
///                positions start (all 0, so width 0, for fields without positions); then the doc ids: deltas (the
///                first relative to the previous block's last doc), or in a bitmap block a `DocBitmap` from the
///                previous block's last doc + 1 (0 for the first block) through the block's last doc, chosen when
///                it takes fewer bits than the deltas and jump table; then the tf − 1 values. All but the bitmap are
///                bit-packed (`BitPacking`)
///   positions    (scored fields only) per doc, per occurrence: its position delta shifted left by 8, or'ed with
///                its `NeighborSignature` (varint)
/// dictionary     blocks of 32 terms; each entry: shared-prefix length, suffix length, suffix, df, postings offset
///                (varints); the first entry of a block has no shared prefix
/// dict index     per dictionary block: its offset u64
/// doc store      id offsets (docs+1) × u32, id bytes, ids' sort order docs × u32 (lookup by id), then the
///                columns created, modified, name length, text length, each packed: width u8 (1, 2, 4 or 8),
///                base i64, docs × width bytes of value − base
/// footer         docs u32, terms u32, dictBlocks u32, dictStart u64, dictIndexStart u64, docStoreStart u64,
///                totalNameLength u64, totalTextLength u64, checksum u64 (of everything before it), "FFSIDXv6"
/// ```
/// Impacts bound a block's (or a term's) best BM25 score for any collection statistics, which is what block-max
/// and MaxScore pruning need (a score grows with tf and shrinks with field length); the term's own impacts make
/// its bound a few divisions instead of a pass over its skip table.
enum SegmentFormat {
    static let magic: [UInt8] = Array("FFSIDXv6".utf8)
    /// Recorded in the manifest's fingerprint, so an index written in an older format is refused as
    /// `incompatible` (the search service then rebuilds it) instead of failing segment by segment.
    static let version: UInt8 = 6
    static let blockSize = 128
    /// A probe inside a block decodes from the jump-table entry before its target, so at most this many deltas.
    static let jumpInterval = 16
    /// The first header byte of a block whose doc ids are a bitmap (a delta width is at most 32).
    static let bitmapBlock: UInt8 = 0xFF
    /// The bit widths that start each block's data.
    static let blockHeaderSize = 4
    static let impactsPerBlock = 4
    static let termImpacts = 8
    /// Bytes per block in each part of the skip table (bounds, positions, impacts) and in all three.
    static let boundsEntrySize = 8
    static let positionsEntrySize = 4
    static let impactsEntrySize = 8 * impactsPerBlock
    static let skipEntrySize = boundsEntrySize + positionsEntrySize + impactsEntrySize
    static let dictBlockTerms = 32
    static let footerSize = 4 * 3 + 8 * 5 + 8 + 8
}
