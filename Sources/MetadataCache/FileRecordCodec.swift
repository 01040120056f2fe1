import PostgresStore

/// A compact binary form of `FileRecord` for Redis: version byte, then each field as a little-endian integer
/// or a length-prefixed byte string, then the label count and each key and value (sorted by key). JSON cost more
/// CPU per cache hit than the Redis round trip itself. Entries of an older version read as misses.
enum FileRecordCodec {
    static let version: UInt8 = 2

    static func encode(_ r: FileRecord) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(256)
        for text in [r.fileID, r.ownerID, r.ownerUsername, r.name, r.contentType, r.detectedType] { put(Array(text.utf8), &out) }
        put(r.sha256, &out)
        for number in [Int64(r.status), Int64(r.currentVersion), Int64(r.versionCount), r.size, r.createdAtMicros,
                       r.updatedAtMicros, r.deletedAtMicros ?? Int64.min] {
            withUnsafeBytes(of: number.littleEndian) { out.append(contentsOf: $0) }
        }
        withUnsafeBytes(of: Int64(r.labels.count).littleEndian) { out.append(contentsOf: $0) }
        for (key, value) in r.labels.sorted(by: { $0.key < $1.key }) {
            put(Array(key.utf8), &out)
            put(Array(value.utf8), &out)
        }
        return out
    }

    /// `nil` for anything malformed or of another version: the caller then treats it as a miss.
    static func decode(_ bytes: [UInt8]) -> FileRecord? {
        guard bytes.first == version else { return nil }
        var index = 1
        func bytesField() -> [UInt8]? {
            guard let length = int() , length >= 0, index + Int(length) <= bytes.count else { return nil }
            defer { index += Int(length) }
            return Array(bytes[index..<index + Int(length)])
        }
        func int() -> Int64? {
            guard index + 8 <= bytes.count else { return nil }
            var value: Int64 = 0
            for i in 0..<8 { value |= Int64(bytes[index + i]) << (8 * i) }
            index += 8
            return value
        }
        func text() -> String? { bytesField().map { String(decoding: $0, as: UTF8.self) } }
        guard let fileID = text(), let ownerID = text(), let ownerUsername = text(), let name = text(),
              let contentType = text(), let detectedType = text(), let sha256 = bytesField(),
              let status = int(), let currentVersion = int(), let versionCount = int(), let size = int(),
              let created = int(), let updated = int(), let deleted = int(), let labelCount = int(),
              (0...Int64(FileLabels.maxCount)).contains(labelCount)
        else { return nil }
        var labels: [String: String] = [:]
        for _ in 0..<labelCount {
            guard let key = text(), let value = text() else { return nil }
            labels[key] = value
        }
        guard index == bytes.count else { return nil }
        return FileRecord(
            fileID: fileID, ownerID: ownerID, ownerUsername: ownerUsername, name: name, contentType: contentType,
            status: Int(status), currentVersion: Int(currentVersion), versionCount: Int(versionCount), size: size,
            sha256: sha256, detectedType: detectedType, createdAtMicros: created, updatedAtMicros: updated,
            deletedAtMicros: deleted == Int64.min ? nil : deleted, labels: labels
        )
    }

    private static func put(_ field: [UInt8], _ out: inout [UInt8]) {
        withUnsafeBytes(of: Int64(field.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: field)
    }
}
