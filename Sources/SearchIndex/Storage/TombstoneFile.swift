/// Tombstone files: which documents of a segment are deleted, as of one commit.
enum TombstoneFile {
    private static let magic: [UInt8] = Array("FFSIDEL1".utf8)

    static func encode(_ bits: Bitset) -> [UInt8] {
        var out = ByteWriter()
        out.append(contentsOf: magic)
        out.appendUInt32(UInt32(bits.count))
        for word in bits.words { out.appendUInt64(word) }
        out.appendUInt64(Checksum.of(out.bytes, count: out.count))
        return out.bytes
    }

    static func decode(_ bytes: [UInt8], docCount: Int) throws(SearchIndexError) -> Bitset {
        let wordCount = (docCount + 63) / 64
        guard bytes.count == magic.count + 4 + 8 * wordCount + 8, Array(bytes[0..<magic.count]) == magic else {
            throw .corrupt("tombstones: bad size or magic")
        }
        var reader = ByteReader(bytes, from: magic.count, what: "tombstones")
        guard Int(try reader.readUInt32()) == docCount else { throw .corrupt("tombstones: wrong document count") }
        var words: [UInt64] = []
        words.reserveCapacity(wordCount)
        for _ in 0..<wordCount { words.append(try reader.readUInt64()) }
        guard try reader.readUInt64() == Checksum.of(bytes, count: bytes.count - 8) else {
            throw .corrupt("tombstones: checksum mismatch")
        }
        return Bitset(count: docCount, words: words)
    }
}
