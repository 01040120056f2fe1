import Testing
@testable import SearchIndex

@Suite("Query parsing and hostile queries")
struct QueryParserTests {
    let parser = QueryParser(configuration: IndexConfiguration())

    func parse(_ text: String, prefixLast: Bool = false) throws(SearchIndexError) -> ParsedQuery {
        try parser.parse(SearchRequest(query: text, user: "u", prefixLastToken: prefixLast))
    }

    func expectInvalid(_ text: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(text)
            Issue.record("\(text.prefix(40)) parsed", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidQuery, sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    func token(_ s: String) -> ParsedQuery.Token { .init(name: Array(s.utf8), text: Array(s.utf8)) }

    @Test("words, phrases, prefixes, OR and filters")
    func syntax() throws {
        let q = try parse("budget \"final draft\" repo* type:PDF owner:ann after:2024-01-31 before:2024-02-01")
        #expect(q.clauses == [
            .term(token("budget")), .phrase([token("final"), token("draft")]), .prefix(Array("repo".utf8)),
        ])
        #expect(q.types == [Array("pdf".utf8)])
        #expect(q.owner == "ann")
        #expect(q.modifiedRange == 1_706_659_200...1_706_831_999)
        #expect(q.mode == .all)
        #expect(try parse("alpha OR beta").mode == .any)
        #expect(try parse("c:drive").clauses == [.phrase([token("c"), token("drive")])])
    }

    @Test("stemming applies to the text field only")
    func perFieldAnalysis() throws {
        let q = try parse("reports")
        #expect(q.clauses == [.term(.init(name: Array("reports".utf8), text: Array("report".utf8)))])
    }

    @Test("a word that splits is a phrase; as-you-type makes the last token a prefix")
    func fileNameWordsAndTyping() throws {
        #expect(try parse("q3_report.pdf").clauses == [
            .phrase([token("q"), token("3"), token("report"), token("pdf")]),
        ])
        #expect(try parse("budget rep", prefixLast: true).clauses == [
            .term(token("budget")), .prefix(Array("rep".utf8)),
        ])
        #expect(try parse("budget rep ", prefixLast: true).clauses == [.term(token("budget")), .term(token("rep"))])
    }

    @Test("any Unicode whitespace separates words; inside quotes it stays in the phrase")
    func whitespace() throws {
        #expect(try parse("alpha\u{3000}beta\u{00A0}gamma\tdelta\r\nepsilon\u{2029}zeta").clauses == [
            .term(token("alpha")), .term(token("beta")), .term(token("gamma")), .term(token("delta")),
            .term(token("epsilon")), .term(token("zeta")),
        ])
        #expect(try parse("\"final\u{3000}draft\" budget").clauses == [
            .phrase([token("final"), token("draft")]), .term(token("budget")),
        ])
        #expect(try parse("naïve café").clauses == [.term(token("naive")), .term(token("cafe"))])
    }

    @Test("bad queries get a clear error")
    func badQueries() {
        expectInvalid("\"unbalanced quote", "unbalanced quote")
        expectInvalid("", "empty query")
        expectInvalid("   ", "empty query")
        expectInvalid("+++ ---", "empty query")
        expectInvalid("bad\u{0}byte", "control character")
        expectInvalid("bell\u{7}", "control character")
        expectInvalid("*", "prefix")
        expectInvalid("after:2024-13-01 x", "bad date")
        expectInvalid("after:2024-02-01 before:2024-01-01", "empty date range")
        expectInvalid(String(repeating: "a ", count: 10_000), "longer than")
        expectInvalid((0..<300).map { "t\($0)" }.joined(separator: " "), "query terms")
        expectInvalid((0..<65).map { "w\($0)x" }.joined(separator: " "), "more than 64")
        expectInvalid((0..<9).map { "p\($0)x*" }.joined(separator: " "), "more than 8 prefix")
    }

    @Test("a filter-only query is valid")
    func filterOnly() throws {
        let q = try parse("type:pdf")
        #expect(q.clauses.isEmpty)
    }
}
