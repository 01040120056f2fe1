import Testing
@testable import SearchIndex

@Suite("Persistence: commits, reopen, corrupt files")
struct PersistenceTests {
    @Test("committed documents survive reopen; uncommitted ones do not; stray files are removed")
    func reopen() throws {
        let directory = TemporaryDirectory()
        do {
            let index = try SearchIndex(directory: directory.path)
            try index.add(IndexDocument(id: "kept", name: "kept.txt", owner: "ann"))
            try index.commit()
            try index.add(IndexDocument(id: "lost", name: "lost.txt", owner: "ann"))
            try index.refresh()
            #expect(Set(index.documentIDs()) == ["kept", "lost"])
        }
        try FileSystem.writeFile(directory.path + "/seg-999.seg", [1, 2, 3])
        try FileSystem.writeFile(directory.path + "/manifest.tmp", [1, 2, 3])
        let reopened = try SearchIndex(directory: directory.path)
        #expect(reopened.documentIDs() == ["kept"])
        let files = Set(try FileSystem.listDirectory(directory.path))
        #expect(!files.contains("seg-999.seg") && !files.contains("manifest.tmp"))
        #expect(files.contains("manifest"))
    }

    @Test("a corrupt manifest, segment or tombstone file is a typed error, not a crash")
    func corruption() throws {
        let directory = TemporaryDirectory()
        do {
            let index = try SearchIndex(directory: directory.path)
            try index.add(IndexDocument(id: "a", name: "a.txt", owner: "ann"))
            try index.add(IndexDocument(id: "b", name: "b.txt", owner: "ann"))
            try index.commit()
            index.delete(id: "a")
            try index.commit()
        }
        let names = try FileSystem.listDirectory(directory.path)
        for name in names {
            let path = directory.path + "/" + name
            let original = try FileSystem.readFile(path)
            for variant in [Array(original.prefix(original.count / 2)), original.map { $0 ^ 0x40 }, []] {
                try FileSystem.writeFile(path, variant)
                #expect(throws: SearchIndexError.self, "\(name)") { _ = try SearchIndex(directory: directory.path) }
            }
            try FileSystem.writeFile(path, original)
        }
        let index = try SearchIndex(directory: directory.path)
        #expect(index.documentIDs() == ["b"])
    }

    @Test("a directory written with other analyzers is refused")
    func fingerprint() throws {
        let directory = TemporaryDirectory()
        let index = try SearchIndex(directory: directory.path)
        try index.commit()
        #expect(throws: SearchIndexError.self) {
            _ = try SearchIndex(directory: directory.path, configuration: IndexConfiguration(
                textAnalyzer: Analyzer(stemming: false)))
        }
    }

    @Test("a background merge runs while documents are added, deleted and committed")
    func concurrentMerge() async throws {
        let directory = TemporaryDirectory()
        let index = try SearchIndex(directory: directory.path)
        for batch in 0..<6 {
            for i in 0..<200 { try index.add(IndexDocument(id: "\(batch)-\(i)", name: "file \(i)", owner: "ann")) }
            try index.commit()
        }
        let merge = index.mergeInBackground(maxSegments: 1)
        for i in 0..<200 {
            index.delete(id: "0-\(i)")
            if i % 50 == 0 { try index.commit() }
        }
        try index.add(IndexDocument(id: "late", name: "late file", owner: "ann"))
        #expect(try await merge.value)
        try index.commit()
        var expected = Set((1..<6).flatMap { b in (0..<200).map { "\(b)-\($0)" } })
        expected.insert("late")
        #expect(Set(index.documentIDs()) == expected)
        let reopened = try SearchIndex(directory: directory.path)
        #expect(Set(reopened.documentIDs()) == expected)
        #expect(try reopened.search(SearchRequest(query: "file", user: "ann", limit: 1000)).count == 1000)
    }
}
