import Testing
@testable import SearchIndex

/// Every state a crash can leave mid-commit or mid-merge, built byte-exactly: the new files in the order the
/// engine writes them (segment, tombstones, `manifest.tmp`), the one being written cut at many offsets, the rename
/// not yet done. Each must open as the previous commit. Complements the SIGKILL test, whose kill points are
/// random and rarely land inside a write.
@Suite("Torn writes open as the last commit")
struct TornWriteTests {
    static func files(_ path: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for name in try FileSystem.listDirectory(path) { result[name] = try FileSystem.readFile(path + "/" + name) }
        return result
    }

    static func write(_ files: [String: [UInt8]], to path: String) throws {
        for name in try FileSystem.listDirectory(path) { FileSystem.remove(path + "/" + name) }
        for (name, bytes) in files { try FileSystem.writeFile(path + "/" + name, bytes) }
    }

    /// Runs `change` on a copy of `before` and checks every torn intermediate state opens as `before`.
    static func checkTornStates(
        before: [String: [UInt8]], expectedIDs: Set<String>, change: (SearchIndex) throws -> Void
    ) throws {
        let work = TemporaryDirectory()
        try write(before, to: work.path)
        try change(try SearchIndex(directory: work.path))
        let after = try files(work.path)
        let segmentsAndTombstones = after.keys.filter { before[$0] == nil }.sorted { a, b in
            a.hasSuffix(".seg") != b.hasSuffix(".seg") ? a.hasSuffix(".seg") : a < b
        }
        var ordered = segmentsAndTombstones.map { ($0, after[$0]!) }
        ordered.append((Manifest.temporaryName, after[Manifest.fileName]!))
        #expect(ordered.count >= 2, "the change wrote new files")
        let crash = TemporaryDirectory()
        for k in 0..<ordered.count {
            let size = ordered[k].1.count
            for cut in Set([0, 1, size / 3, size / 2, size - 1, size]) where cut >= 0 && cut <= size {
                var state = before
                for j in 0..<k { state[ordered[j].0] = ordered[j].1 }
                state[ordered[k].0] = Array(ordered[k].1.prefix(cut))
                try write(state, to: crash.path)
                let reopened = try SearchIndex(directory: crash.path)
                #expect(Set(reopened.documentIDs()) == expectedIDs, "\(ordered[k].0) cut at \(cut)")
                let left = Set(try FileSystem.listDirectory(crash.path))
                #expect(left == Set(before.keys), "leftovers removed after \(ordered[k].0) cut at \(cut)")
            }
        }
    }

    @Test("interrupted commit and interrupted merge")
    func commitAndMerge() throws {
        let base = TemporaryDirectory()
        let index = try SearchIndex(directory: base.path)
        for batch in 0..<3 {
            for i in 0..<40 {
                try index.add(IndexDocument(id: "\(batch)-\(i)", name: "doc \(i) b\(batch)", owner: "u"))
            }
            try index.commit()
        }
        index.delete(id: "0-0")
        try index.commit()
        let before = try Self.files(base.path)
        let ids = Set(index.documentIDs())
        #expect(ids.count == 119)

        try Self.checkTornStates(before: before, expectedIDs: ids) { (index: SearchIndex) throws in
            for i in 0..<30 { try index.add(IndexDocument(id: "new-\(i)", name: "new \(i)", owner: "u")) }
            index.delete(id: "1-1")
            index.delete(id: "new-3")
            try index.commit()
        }
        try Self.checkTornStates(before: before, expectedIDs: ids) { (index: SearchIndex) throws in
            index.delete(id: "2-2")
            try index.commit()
        }
        try Self.checkTornStates(before: before, expectedIDs: ids) { (index: SearchIndex) throws in
            #expect(try index.merge(maxSegments: 1))
        }
    }
}
