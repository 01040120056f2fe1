@testable import MetadataCache
import PostgresStore
import Testing

@Suite("Cached file records: binary codec")
struct FileRecordCodecTests {
    @Test("hostile strings round-trip; truncated, extended or foreign bytes decode to nil (a miss), never a crash")
    func roundTripAndMalformed() {
        for text in HostileStrings.all + ["", String(repeating: "ü", count: 600)] {
            let record = FileRecord(
                fileID: newUUID(), ownerID: newUUID(), ownerUsername: text, name: text, contentType: text, status: 3,
                currentVersion: 2, versionCount: 2, size: Int64.max, sha256: (0..<32).map(UInt8.init), detectedType: text,
                createdAtMicros: -1, updatedAtMicros: 1_700_000_000_000_000, deletedAtMicros: text.isEmpty ? nil : 5,
                labels: text.isEmpty ? [:] : ["team/area": text, "k": "", text: "v"])
            let encoded = FileRecordCodec.encode(record)
            #expect(FileRecordCodec.decode(encoded) == record)
            for cut in [0, 1, 9, encoded.count / 2, encoded.count - 1] {
                #expect(FileRecordCodec.decode(Array(encoded.prefix(cut))) == nil)
            }
            #expect(FileRecordCodec.decode(encoded + [0]) == nil)
        }
        #expect(FileRecordCodec.decode(Array("{\"fileID\":\"x\"}".utf8)) == nil)
        #expect(FileRecordCodec.decode([1] + [UInt8](repeating: 0xFF, count: 64)) == nil)
    }
}
