@testable import FileProcessService
import ServiceKit
import Testing

@Suite("Block chunking")
struct BlockChunkerTests {
    /// Collects the blocks a chunking of `data` into pieces of `pieceSize` yields.
    private func blocks(of data: [UInt8], blockSize: Int, pieceSize: Int) async throws -> [[UInt8]] {
        var chunker = BlockChunker(blockSize: blockSize)
        var out: [[UInt8]] = []
        var start = 0
        while start < data.count {
            let end = min(data.count, start + pieceSize)
            try await chunker.append(Array(data[start..<end])) { out.append($0) }
            start = end
        }
        try await chunker.finish { out.append($0) }
        return out
    }

    @Test("boundaries depend on the content only, never on how it was chunked", arguments: [1, 7, 64, 100, 1000])
    func boundariesIgnoreChunking(pieceSize: Int) async throws {
        let data = (0..<1037).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let result = try await blocks(of: data, blockSize: 100, pieceSize: pieceSize)
        #expect(result.map(\.count) == Array(repeating: 100, count: 10) + [37])
        #expect(result.flatMap { $0 } == data)
    }

    @Test("an exact multiple of the block size leaves no empty tail; no input, no block")
    func exactMultiple() async throws {
        #expect(try await blocks(of: Array(repeating: 1, count: 300), blockSize: 100, pieceSize: 300).map(\.count)
            == [100, 100, 100])
        #expect(try await blocks(of: [], blockSize: 100, pieceSize: 1).isEmpty)
    }
}

@Suite("Upload block budget")
struct BlockBudgetTests {
    @Test("an upload alone keeps the most blocks in flight; many share the budget; each keeps at least one")
    func budgetIsShared() async {
        let budget = BlockBudget(blocks: 24, maxPerUpload: 6)
        #expect(budget.depth == 6)
        await budget.admitting {
            #expect(budget.depth == 6)
            await budget.admitting {
                await budget.admitting {
                    await budget.admitting {
                        await budget.admitting { #expect(budget.depth == 4) }  // 5 uploads: 24 / 5
                    }
                }
            }
        }
        let many = BlockBudget(blocks: 24, maxPerUpload: 6)
        func nest(_ level: Int) async {
            guard level > 0 else { return #expect(many.depth == 1) }  // 30 uploads: still one each
            await many.admitting { await nest(level - 1) }
        }
        await nest(30)
        #expect(many.depth == 6)  // all finished
    }
}

@Suite("Type detection")
struct TypeDetectorTests {
    @Test("magic bytes win over the name", arguments: [
        ("%PDF-1.7\n", "notes.txt", "pdf"),
        ("\u{89}PNG\r\n\u{1A}\n", "a.pdf", "png"),
        ("PK\u{03}\u{04}rest", "doc.docx", "zip"),
        ("\u{7F}ELF\u{02}", "run", "elf"),
    ])
    func magic(prefix: String, name: String, type: String) {
        let bytes = prefix.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        #expect(TypeDetector.detect(prefix: bytes[...], name: name) == type)
    }

    @Test("kinds of text", arguments: [
        ("# Title\nbody", "readme.md", "markdown"),
        ("a,b\n1,2\n", "data.csv", "csv"),
        ("{\"a\": 1}", "x.json", "json"),
        ("<!DOCTYPE html><p>hi</p>", "page", "html"),
        ("import Foundation\n", "main.swift", "source"),
        ("just words", "plain", "text"),
    ])
    func text(content: String, name: String, type: String) {
        #expect(TypeDetector.detect(prefix: Array(content.utf8)[...], name: name) == type)
    }

    @Test("binary: NUL bytes, invalid UTF-8, many control characters; a scalar cut at the end is still text")
    func binary() {
        #expect(TypeDetector.detect(prefix: [0x41, 0x00, 0x42][...], name: "a.txt") == "binary")
        #expect(TypeDetector.detect(prefix: [0x41, 0xFF, 0xFE, 0x42][...], name: "a.txt") == "binary")
        #expect(TypeDetector.detect(prefix: Array(repeating: 0x01, count: 50)[...], name: "a") == "binary")
        let cut = Array("café".utf8).dropLast()  // "caf" + the first byte of "é"
        #expect(TypeDetector.detect(prefix: cut, name: "a.txt") == "text")
    }
}

@Suite("Text extraction")
struct TextExtractorTests {
    @Test("markup, scripts and styles are stripped; entities decoded")
    func html() {
        let html = "<html><style>p{}</style><script>alert('x')</script><p>Fish &amp; chips &lt;3</p><!-- note --></html>"
        let text = TextExtractor.extract(Array(html.utf8), type: "html")
        #expect(text.contains("Fish & chips <3"))
        #expect(!text.contains("alert") && !text.contains("p{}") && !text.contains("note") && !text.contains("<p>"))
    }

    @Test("NUL and control characters go, invalid UTF-8 is dropped, the result is bounded")
    func cleaning() {
        #expect(TextExtractor.extract([0x61, 0x00, 0x62, 0x07, 0x0A, 0xFF, 0x63], type: "text") == "ab\nc")
        let long = TextExtractor.extract(Array(repeating: 0xC3, count: 1) + Array(String(repeating: "é", count: 700_000).utf8),
                                         type: "text")
        #expect(long.utf8.count <= TextExtractor.maxBytes && long.hasPrefix("é"))
    }
}

@Suite("clamd replies")
struct ClamdReplyTests {
    @Test("OK, FOUND with the signature, and errors")
    func replies() throws {
        #expect(try ClamdScanner.verdict("stream: OK") == .clean)
        #expect(try ClamdScanner.verdict("stream: Eicar-Test-Signature FOUND") == .infected(signature: "Eicar-Test-Signature"))
        #expect(throws: ClamdScanner.ScanError.self) { try ClamdScanner.verdict("INSTREAM size limit exceeded. ERROR") }
        #expect(throws: ClamdScanner.ScanError.self) { try ClamdScanner.verdict("") }
    }
}

@Suite("UTF-8 prefixes")
struct UTF8PrefixTests {
    @Test("never cuts inside a scalar")
    func boundaries() {
        #expect("héllo".utf8Prefix(maxBytes: 2) == "h")
        #expect("héllo".utf8Prefix(maxBytes: 3) == "hé")
        #expect("abc".utf8Prefix(maxBytes: 10) == "abc")
        #expect("🙂x".utf8Prefix(maxBytes: 3) == "")
        #expect("abc".utf8Prefix(maxBytes: 0) == "")
    }
}
