import Foundation
@testable import SearchIndex
@testable import SearchService
import Testing

@Suite("Search snippets")
struct SnippetTests {
    func excerpt(_ query: String, _ text: String, prefixLast: Bool = false) throws -> String {
        let configuration = IndexConfiguration()
        let parsed = try QueryParser(configuration: configuration)
            .parse(SearchRequest(query: query, user: "u", prefixLastToken: prefixLast))
        return Snippet(query: parsed, textAnalyzer: configuration.textAnalyzer).excerpt(of: text)
    }

    @Test("a window around the first match, cut at word boundaries, marked where it was cut")
    func window() throws {
        let before = (1...40).map { "alpha\($0)" }.joined(separator: " ")
        let after = (1...40).map { "omega\($0)" }.joined(separator: " ")
        let snippet = try excerpt("zebra", "\(before) the zebra crossing \(after)")
        #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…"))
        #expect(snippet.contains("the zebra crossing"))
        #expect(snippet.count <= Snippet.length + 2)
        let words = snippet.dropFirst().dropLast().split(separator: " ")
        #expect(words.allSatisfy { $0 == "the" || $0 == "zebra" || $0 == "crossing" || $0.hasPrefix("alpha")
            || $0.hasPrefix("omega") })
        #expect(words.first.map { $0.hasPrefix("alpha") && Int($0.dropFirst(5)) != nil } == true)
    }

    @Test("matches the way the index does: folded case and accents, plurals, prefixes, phrases")
    func matching() throws {
        #expect(try excerpt("cafe", "Meet at the Café Luna") == "Meet at the Café Luna")
        #expect(try excerpt("invoices", "one invoice\nfrom March") == "one invoice from March")
        #expect(try excerpt("quart*", "The Quarterly numbers") == "The Quarterly numbers")
        #expect(try excerpt("quart", "The Quarterly numbers", prefixLast: true) == "The Quarterly numbers")
        // The last word typed in full finds its stem in text, as the index does; a longer word is no match.
        #expect(try excerpt("reports", "one report only", prefixLast: true) == "one report only")
        #expect(try excerpt("reports", "reporting only", prefixLast: true) == "")
        #expect(try excerpt("\"budget plan\"", "A budget plan for 2025") == "A budget plan for 2025")
    }

    @Test("a matching word longer than the window is cut, not overrun")
    func longWord() throws {
        let word = String(repeating: "Alpha", count: 50) + "Zebra"
        let snippet = try excerpt("zebra", "see \(word) here")
        #expect(snippet == "see " + word.prefix(Snippet.length - 4) + "…")
    }

    @Test("no snippet when the text does not match (the hit came from the name), or there is no text")
    func noMatch() throws {
        #expect(try excerpt("zebra", "nothing to see here") == "")
        #expect(try excerpt("zebra", "") == "")
        #expect(try excerpt("zebra", "zebras") == "zebras")
        #expect(try excerpt("zeb", "zebras") == "")
    }
}

@Suite("Search page tokens")
struct SearchPageTokenTests {
    @Test("round-trips offset and fingerprint through an opaque, URL-safe string")
    func roundTrip() {
        let token = SearchPageToken(offset: 40, fingerprint: SearchPageToken.fingerprint(["q", "pdf", "", "", ""]))
        let encoded = token.encoded
        #expect(SearchPageToken(encoded: encoded) == token)
        #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/") && !encoded.contains("40"))
    }

    @Test("anything else is refused", arguments: [
        "", "garbage!!", "czEuLTEuMA", "eDEuMTAuMA", "czEuMTAuenp6", "czEuMTA", String(repeating: "A", count: 200),
    ])
    func refused(token: String) {
        #expect(SearchPageToken(encoded: token) == nil)
    }

    @Test("the fingerprint separates fields and is the same in every process")
    func fingerprint() {
        #expect(SearchPageToken.fingerprint(["ab", ""]) != SearchPageToken.fingerprint(["a", "b"]))
        #expect(SearchPageToken.fingerprint(["q", "pdf"]) == SearchPageToken.fingerprint(["q", "pdf"]))
        // FNV-1a 64 of a single 0 byte: the published offset basis times the prime, xor 0.
        #expect(SearchPageToken.fingerprint([""]) == 0xcbf2_9ce4_8422_2325 &* 0x0000_0100_0000_01B3)
    }
}

@Suite("Freshness ledger")
struct FreshnessLedgerTests {
    @Test("a read that started earlier never overwrites one that started later")
    func olderLoses() {
        var ledger = FreshnessLedger()
        let early = ledger.open()
        let late = ledger.open()
        let admitted = [
            ledger.admit("f", ticket: late), ledger.admit("f", ticket: early), ledger.admit("g", ticket: early),
        ]
        ledger.close(late)
        let afterClose = ledger.admit("f", ticket: early)
        ledger.close(early)
        #expect(admitted == [true, false, true])
        #expect(!afterClose)
    }

    @Test("forgets everything once no read is open, and never what an open read still needs")
    func bounded() {
        var ledger = FreshnessLedger()
        let rebuild = ledger.open()
        var admitted = 0
        for n in 0..<5000 {
            let ticket = ledger.open()
            if ledger.admit("file-\(n)", ticket: ticket) { admitted += 1 }
            ledger.close(ticket)
        }
        #expect(admitted == 5000 && ledger.rememberedFiles == 5000)
        let stale = ledger.admit("file-42", ticket: rebuild)
        #expect(!stale)
        ledger.close(rebuild)
        #expect(ledger.rememberedFiles == 0)
    }
}

@Suite("Index writer")
struct IndexWriterTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString)").path

    func document(_ id: String, text: String, readers: [String] = []) -> IndexChange {
        var change = IndexChange(removing: id)
        change.document = IndexDocument(id: id, name: "\(id).txt", text: text, owner: "owner", readers: readers)
        change.changedAtMicros = 1_000_000
        return change
    }

    func hits(_ writer: IndexWriter, _ query: String, user: String = "owner") throws -> [String] {
        try writer.index.search(SearchRequest(query: query, user: user)).map(\.id)
    }

    @Test("a file replaced twice between commits, then trashed, leaves no copy behind")
    func replacedThenRemoved() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (writer, note) = try IndexWriter.open(directory: directory)
        #expect(note == nil)
        let id = UUID().uuidString.lowercased()
        for text in ["uploaded", "processed zebra", "shared zebra"] {
            let ticket = writer.openTicket()
            #expect(try await writer.apply([document(id, text: text, readers: text.hasPrefix("shared") ? ["b"] : [])],
                                           ticket: ticket))
            writer.closeTicket(ticket)
            if text == "processed zebra" { try await writer.checkpoint() }
        }
        try await writer.checkpoint()
        #expect(try hits(writer, "zebra") == [id])
        #expect(try hits(writer, "zebra", user: "b") == [id])

        let ticket = writer.openTicket()
        #expect(try await writer.apply([IndexChange(removing: id)], ticket: ticket))
        writer.closeTicket(ticket)
        try await writer.checkpoint()
        #expect(try hits(writer, "zebra").isEmpty)
        #expect(writer.index.documentCount == 0)
    }

    @Test("changes are journaled until a checkpoint commits them; recovery reads the ids back")
    func journal() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ids = (0..<3).map { _ in UUID().uuidString.lowercased() }
        do {
            let (writer, _) = try IndexWriter.open(directory: directory)
            let ticket = writer.openTicket()
            #expect(try await writer.apply(ids.map { document($0, text: "zebra") }, ticket: ticket))
            writer.closeTicket(ticket)
            try await writer.makeDurable()
            #expect(writer.journal.recordedIDs() == ids)
            #expect(try hits(writer, "zebra").isEmpty)  // not committed yet: not searchable either
        }
        // A crash here: the next process finds the ids (a torn last line is ignored) and nothing committed.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/" + IndexJournal.fileName))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("0f3c".utf8))
        try handle.close()
        let (reopened, _) = try IndexWriter.open(directory: directory)
        #expect(reopened.journal.recordedIDs() == ids)
        #expect(reopened.index.documentCount == 0)
        #expect(reopened.watermark.durable == nil)

        let ticket = reopened.openTicket()
        _ = try await reopened.apply(ids.map { document($0, text: "zebra") }, ticket: ticket)
        reopened.closeTicket(ticket)
        try await reopened.checkpoint()
        #expect(reopened.journal.recordedIDs().isEmpty)
        #expect(Set(try hits(reopened, "zebra")) == Set(ids))
        #expect(reopened.watermark.durable == 1_000_000)
    }

    @Test("an unreadable index is moved aside and replaced by an empty one")
    func unreadable() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let (writer, _) = try IndexWriter.open(directory: directory)
            let ticket = writer.openTicket()
            _ = try await writer.apply([document(UUID().uuidString.lowercased(), text: "zebra")], ticket: ticket)
            writer.closeTicket(ticket)
            try await writer.checkpoint()
        }
        try Data("not a manifest".utf8).write(to: URL(fileURLWithPath: directory + "/manifest"))
        let (writer, note) = try IndexWriter.open(directory: directory)
        let aside = try #require(note.flatMap { $0.range(of: "moved to ") }.map { note![$0.upperBound...] })
        defer { try? FileManager.default.removeItem(atPath: String(aside.prefix { $0 != "," })) }
        #expect(writer.index.documentCount == 0)
        #expect(FileManager.default.fileExists(atPath: String(aside.prefix { $0 != "," }) + "/manifest"))
    }
}
