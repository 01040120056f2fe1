/// The list of committed segments and their tombstone generations: the single source of truth on disk.
///
/// A commit writes `manifest.tmp`, fsyncs it, renames it over `manifest` and fsyncs the directory. Rename is
/// atomic, so after a crash at any point `manifest` is either the previous commit or the new one, and every file it
/// names was fsynced before it was written. Files it does not name are leftovers of an interrupted commit or merge
/// and are deleted at open.
struct Manifest: Equatable {
    struct Entry: Equatable {
        var segmentID: UInt64
        var docCount: Int
        /// 0 when the segment has no committed tombstones.
        var deleteGeneration: UInt64
    }

    static let fileName = "manifest"
    static let temporaryName = "manifest.tmp"
    private static let magic: [UInt8] = Array("FFSIMAN1".utf8)

    var generation: UInt64 = 0
    var nextSegmentID: UInt64 = 1
    var fingerprint: [UInt8] = []
    var entries: [Entry] = []

    static func segmentFile(_ id: UInt64) -> String { "seg-\(id).seg" }
    static func deleteFile(_ id: UInt64, _ generation: UInt64) -> String { "seg-\(id)-\(generation).del" }

    /// The files this manifest needs.
    var referencedFiles: Set<String> {
        var files: Set<String> = [Self.fileName]
        for entry in entries {
            files.insert(Self.segmentFile(entry.segmentID))
            if entry.deleteGeneration > 0 { files.insert(Self.deleteFile(entry.segmentID, entry.deleteGeneration)) }
        }
        return files
    }

    func encode() -> [UInt8] {
        var out = ByteWriter()
        out.append(contentsOf: Self.magic)
        out.appendUInt64(generation)
        out.appendUInt64(nextSegmentID)
        out.appendVarint(UInt64(fingerprint.count))
        out.append(contentsOf: fingerprint)
        out.appendVarint(UInt64(entries.count))
        for entry in entries {
            out.appendUInt64(entry.segmentID)
            out.appendVarint(UInt64(entry.docCount))
            out.appendUInt64(entry.deleteGeneration)
        }
        out.appendUInt64(Checksum.of(out.bytes, count: out.count))
        return out.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(SearchIndexError) -> Manifest {
        guard bytes.count >= magic.count + 8, Array(bytes[0..<magic.count]) == magic else {
            throw .corrupt("manifest: bad magic")
        }
        var tail = ByteReader(bytes, from: bytes.count - 8, what: "manifest")
        guard try tail.readUInt64() == Checksum.of(bytes, count: bytes.count - 8) else {
            throw .corrupt("manifest: checksum mismatch")
        }
        var reader = ByteReader(bytes, from: magic.count, to: bytes.count - 8, what: "manifest")
        var manifest = Manifest()
        manifest.generation = try reader.readUInt64()
        manifest.nextSegmentID = try reader.readUInt64()
        manifest.fingerprint = try reader.readBytes(Int(min(try reader.readVarint(), 64)))
        let count = try reader.readVarint()
        guard count < 1 << 20 else { throw .corrupt("manifest: too many segments") }
        for _ in 0..<count {
            let id = try reader.readUInt64()
            let docs = Int(try reader.readVarint())
            let generation = try reader.readUInt64()
            manifest.entries.append(Entry(segmentID: id, docCount: docs, deleteGeneration: generation))
        }
        guard reader.isAtEnd else { throw .corrupt("manifest: trailing bytes") }
        return manifest
    }

    /// Durably and atomically replaces the directory's manifest with this one.
    func write(to directory: String) throws(SearchIndexError) {
        let temporary = directory + "/" + Self.temporaryName
        try FileSystem.writeFile(temporary, encode())
        try FileSystem.rename(temporary, to: directory + "/" + Self.fileName, directory: directory)
    }
}
