/// Dictionary entry of one term in one segment.
struct TermInfo {
    var df: Int
    var postingsOffset: Int
}

/// A packed integer column of the doc store: value = base + `width` little-endian bytes at start + doc × width.
struct PackedColumn {
    let start: Int
    let width: Int
    let base: Int64

    @inline(__always)
    func value(_ doc: Int, in bytes: UnsafeRawPointer) -> Int64 {
        let offset = start + doc * width
        switch width {
        case 1: return base &+ Int64(bytes.load(fromByteOffset: offset, as: UInt8.self))
        case 2: return base &+ Int64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        case 4: return base &+ Int64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        default: return base &+ Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        }
    }
}

/// An open, validated, immutable segment held in memory.
///
/// The bytes are checked once at open (size, magic, checksum, section bounds), after which the query path reads
/// them through raw pointers without bounds checks: the checksum proves they are the bytes `SegmentWriter` wrote.
final class SegmentReader: @unchecked Sendable {
    // @unchecked: the buffer is written once in init and only read afterwards.
    private let storage: SegmentMemory
    let base: UnsafeRawPointer
    let docCount: Int
    let termCount: Int
    let totalNameLength: UInt64
    let totalTextLength: UInt64
    private let dictStart: Int
    private let dictIndexStart: Int
    private let dictBlockCount: Int
    private let termSlots: TermSlots
    private let idOffsetsStart: Int
    private let idBytesStart: Int
    private let idOrderStart: Int
    let createdColumn: PackedColumn
    let modifiedColumn: PackedColumn
    let nameLengths: PackedColumn
    let textLengths: PackedColumn

    init(bytes: [UInt8], name: String) throws(SearchIndexError) {
        let size = bytes.count
        let magic = SegmentFormat.magic
        guard size >= magic.count + SegmentFormat.footerSize,
              Array(bytes[0..<magic.count]) == magic, Array(bytes[(size - magic.count)...]) == magic
        else { throw .corrupt("segment \(name): bad size or magic") }
        var footer = ByteReader(bytes, from: size - SegmentFormat.footerSize, what: "segment \(name)")
        let docs = Int(try footer.readUInt32())
        let terms = Int(try footer.readUInt32())
        let blocks = Int(try footer.readUInt32())
        let dictStart = Int(try footer.readUInt64())
        let dictIndexStart = Int(try footer.readUInt64())
        let docStoreStart = Int(try footer.readUInt64())
        totalNameLength = try footer.readUInt64()
        totalTextLength = try footer.readUInt64()
        let checksumOffset = footer.offset
        let checksum = try footer.readUInt64()
        guard Checksum.of(bytes, count: checksumOffset) == checksum else {
            throw .corrupt("segment \(name): checksum mismatch")
        }
        let idOffsetsStart = docStoreStart
        let idBytesStart = idOffsetsStart + 4 * (docs + 1)
        guard magic.count <= dictStart, dictStart <= dictIndexStart, dictIndexStart + 8 * blocks == docStoreStart,
              idBytesStart <= checksumOffset, blocks == (terms + SegmentFormat.dictBlockTerms - 1)
                / SegmentFormat.dictBlockTerms
        else { throw .corrupt("segment \(name): bad section offsets") }
        var reader = ByteReader(bytes, from: idOffsetsStart + 4 * docs, what: "segment \(name)")
        let idBytesLength = Int(try reader.readUInt32())
        let idOrderStart = idBytesStart + idBytesLength
        var columns: [PackedColumn] = []
        var offset = idOrderStart + 4 * docs
        for _ in 0..<4 {
            var header = ByteReader(bytes, from: offset, to: checksumOffset, what: "segment \(name)")
            let width = Int(try header.readByte())
            let base = Int64(bitPattern: try header.readUInt64())
            guard [1, 2, 4, 8].contains(width) else { throw .corrupt("segment \(name): bad column width") }
            columns.append(PackedColumn(start: offset + 9, width: width, base: base))
            offset += 9 + width * docs
        }
        guard offset == checksumOffset - 8 * 5 - 12 else { throw .corrupt("segment \(name): bad doc store size") }
        let storage = SegmentMemory(byteCount: size)
        bytes.withUnsafeBytes { storage.bytes.copyMemory(from: $0) }
        self.storage = storage
        base = UnsafeRawPointer(storage.bytes.baseAddress!)
        docCount = docs
        termCount = terms
        self.dictStart = dictStart
        self.dictIndexStart = dictIndexStart
        dictBlockCount = blocks
        self.idOffsetsStart = idOffsetsStart
        self.idBytesStart = idBytesStart
        self.idOrderStart = idOrderStart
        createdColumn = columns[0]
        modifiedColumn = columns[1]
        nameLengths = columns[2]
        textLengths = columns[3]
        termSlots = TermSlots(termCount: terms)
        var index = 0
        scanTerms(from: []) { term, _ in
            term.withUnsafeBufferPointer { termSlots.insert($0, block: index / SegmentFormat.dictBlockTerms) }
            index += 1
            return true
        }
    }

    deinit {
        storage.deallocate()
    }

    @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func externalID(_ doc: Int) -> String {
        let start = Int(uint32(at: idOffsetsStart + 4 * doc))
        let end = Int(uint32(at: idOffsetsStart + 4 * doc + 4))
        return String(decoding: UnsafeRawBufferPointer(start: base + idBytesStart + start, count: end - start),
                      as: UTF8.self)
    }

    private func idBytes(_ doc: Int) -> UnsafeRawBufferPointer {
        let start = Int(uint32(at: idOffsetsStart + 4 * doc))
        let end = Int(uint32(at: idOffsetsStart + 4 * doc + 4))
        return UnsafeRawBufferPointer(start: base + idBytesStart + start, count: end - start)
    }

    /// Whether this segment's id of `doc` sorts (bytewise, as `String` does for UTF-8) before `other`'s id of
    /// `otherDoc`; compares in place, since the heap breaks every score tie with it.
    func idPrecedes(_ doc: Int, _ other: SegmentReader, _ otherDoc: Int) -> Bool {
        let a = idBytes(doc), b = other.idBytes(otherDoc)
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }

    func created(_ doc: Int) -> Int64 { createdColumn.value(doc, in: base) }
    func modified(_ doc: Int) -> Int64 { modifiedColumn.value(doc, in: base) }
    func nameLength(_ doc: Int) -> UInt32 { UInt32(truncatingIfNeeded: nameLengths.value(doc, in: base)) }
    func textLength(_ doc: Int) -> UInt32 { UInt32(truncatingIfNeeded: textLengths.value(doc, in: base)) }

    /// The per-doc length column of a scored field.
    func lengths(_ field: Field) -> PackedColumn {
        field == .name ? nameLengths : textLengths
    }

    /// The local docs with this external id, by binary search over the ids' sort order. More than one when a
    /// document was replaced before its buffer was written (the buffer writes the replaced copy, deleted), or when
    /// a merge met copies deleted after the last commit: a delete must reach the live copy whichever comes first.
    func documents(withID id: [UInt8]) -> [Int] {
        var low = 0, high = docCount
        while low < high {
            let mid = (low + high) / 2
            let doc = Int(uint32(at: idOrderStart + 4 * mid))
            let candidate = idBytes(doc)
            if candidate.lexicographicallyPrecedes(id) { low = mid + 1 } else { high = mid }
        }
        var docs: [Int] = []
        while low < docCount {
            let doc = Int(uint32(at: idOrderStart + 4 * low))
            guard idBytes(doc).elementsEqual(id) else { break }
            docs.append(doc)
            low += 1
        }
        return docs
    }

    // MARK: Dictionary

    @inline(__always)
    private func readVarint(_ offset: inout Int) -> Int {
        var result = 0
        var shift = 0
        while true {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            result |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    private func blockOffset(_ block: Int) -> Int {
        dictStart + Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: dictIndexStart + 8 * block,
                                                                 as: UInt64.self)))
    }

    /// Compares the first term of a dictionary block with `key` (the first entry stores its whole key).
    private func compareFirstTerm(ofBlock block: Int, with key: [UInt8]) -> Int {
        var offset = blockOffset(block)
        _ = readVarint(&offset)
        let length = readVarint(&offset)
        let n = min(length, key.count)
        for i in 0..<n {
            let byte = base.load(fromByteOffset: offset + i, as: UInt8.self)
            if byte != key[i] { return byte < key[i] ? -1 : 1 }
        }
        return length == key.count ? 0 : (length < key.count ? -1 : 1)
    }

    /// The last block whose first term is ≤ `key`, or 0.
    private func findBlock(_ key: [UInt8]) -> Int {
        var low = 0
        var high = dictBlockCount - 1
        var result = 0
        while low <= high {
            let mid = (low + high) / 2
            if compareFirstTerm(ofBlock: mid, with: key) <= 0 {
                result = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        return result
    }

    /// Calls `body` with each term from the block containing `key` onwards until it returns false.
    func scanTerms(from key: [UInt8], _ body: (_ term: [UInt8], _ info: TermInfo) -> Bool) {
        guard termCount > 0 else { return }
        var block = findBlock(key)
        var term: [UInt8] = []
        var index = block * SegmentFormat.dictBlockTerms
        var offset = blockOffset(block)
        while index < termCount {
            if index % SegmentFormat.dictBlockTerms == 0 {
                block = index / SegmentFormat.dictBlockTerms
                offset = blockOffset(block)
            }
            let shared = readVarint(&offset)
            let suffix = readVarint(&offset)
            term.removeSubrange(shared...)
            term.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: suffix))
            offset += suffix
            let df = readVarint(&offset)
            let postings = readVarint(&offset)
            index += 1
            if !body(term, TermInfo(df: df, postingsOffset: postings)) { return }
        }
    }

    /// The entry of `key`: its hash slot names the dictionary block, scanned for it in place.
    func lookup(_ key: [UInt8]) -> TermInfo? {
        key.withUnsafeBufferPointer { key in termSlots.first(key) { lookup(key, inBlock: $0) } }
    }

    /// The entry of `key` if it is in dictionary block `block`, comparing each term's suffix in place: rebuilding
    /// every term of the block as an array cost more than finding the block.
    private func lookup(_ key: UnsafeBufferPointer<UInt8>, inBlock block: Int) -> TermInfo? {
        var offset = blockOffset(block)
        let count = min(SegmentFormat.dictBlockTerms, termCount - block * SegmentFormat.dictBlockTerms)
        // Invariant: the previous term is below `key` and shares its first `matched` bytes.
        var matched = 0
        for _ in 0..<count {
            let shared = readVarint(&offset)
            let suffix = readVarint(&offset)
            let suffixStart = offset
            offset += suffix
            let df = readVarint(&offset)
            let postings = readVarint(&offset)
            // Sharing more than `matched` bytes with a term below `key`, it differs from `key` where that one
            // did, the same way.
            if shared > matched { continue }
            var m = shared
            while m - shared < suffix && m < key.count
                && base.load(fromByteOffset: suffixStart + m - shared, as: UInt8.self) == key[m]
            {
                m += 1
            }
            if m - shared == suffix {
                if m == key.count { return TermInfo(df: df, postingsOffset: postings) }
            } else if m == key.count
                || base.load(fromByteOffset: suffixStart + m - shared, as: UInt8.self) > key[m]
            {
                // Past `key`: longer with `key` as its prefix, or greater at the first difference.
                return nil
            }
            matched = m
        }
        return nil
    }

    /// Every term starting with `prefix`, in order.
    func terms(withPrefix prefix: [UInt8], _ body: ([UInt8], TermInfo) -> Void) {
        scanTerms(from: prefix) { term, info in
            if term.starts(with: prefix) {
                body(term, info)
                return true
            }
            return !Self.less(prefix, term)
        }
    }

    /// Every term in order, for merging.
    func allTerms(_ body: ([UInt8], TermInfo) -> Void) {
        scanTerms(from: []) { term, info in
            body(term, info)
            return true
        }
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
