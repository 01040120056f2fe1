import SearchIndex

/// A short excerpt of a file's extracted text around the first word the query matched, for `SearchHit.snippet`.
///
/// Words are compared the way the index compared them: each word of the text is analyzed like the text field
/// (folded, stemmed) and checked against the query's analyzed tokens (a prefix's stemmed form among them), and
/// against its prefixes unstemmed. A word of plain ASCII that shares no letter with the first letter of any query
/// token skips the analyzer, which keeps long texts cheap. Empty when nothing in the text matches (the hit came from the name).
struct Snippet {
    static let length = 160
    static let lead = 60

    private let terms: Set<[UInt8]>
    private let prefixes: [[UInt8]]
    private let initials: Set<UInt8>
    private let textAnalyzer: Analyzer
    private let plainAnalyzer = Analyzer(stemming: false)

    init(query: ParsedQuery, textAnalyzer: Analyzer) {
        var terms = Set<[UInt8]>()
        var prefixes: [[UInt8]] = []
        for clause in query.clauses {
            switch clause {
            case .term(let token): terms.insert(token.text)
            case .phrase(let tokens): terms.formUnion(tokens.map(\.text))
            case .prefix(let bytes):
                prefixes.append(bytes)
                // The index also matches the typed word as text stems it ("reports" finds "report"): so does this.
                let stemmed = textAnalyzer.tokens(String(decoding: bytes, as: UTF8.self))
                if stemmed.count == 1 { terms.insert(Array(stemmed[0].utf8)) }
            }
        }
        self.terms = terms
        self.prefixes = prefixes
        initials = Set((Array(terms) + prefixes).compactMap(\.first))
        self.textAnalyzer = textAnalyzer
    }

    /// The excerpt of `text`, or "" when no word of it matches.
    func excerpt(of text: String) -> String {
        guard !initials.isEmpty, let match = firstMatch(in: text) else { return "" }
        var start = text.index(match.lowerBound, offsetBy: -Self.lead, limitedBy: text.startIndex) ?? text.startIndex
        if start > text.startIndex, let space = text[start..<match.lowerBound].firstIndex(where: \.isWhitespace) {
            start = text.index(after: space)
        }
        var end = text.index(start, offsetBy: Self.length, limitedBy: text.endIndex) ?? text.endIndex
        if end < text.endIndex, end > match.upperBound,
            let space = text[match.upperBound..<end].lastIndex(where: \.isWhitespace)
        {
            end = space
        }
        let words = text[start..<end].split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return (start > text.startIndex ? "…" : "") + words + (end < text.endIndex ? "…" : "")
    }

    /// The range of the first word (a run of letters and digits) with a token the query asked for.
    private func firstMatch(in text: String) -> Range<String.Index>? {
        var index = text.startIndex
        while let start = text[index...].firstIndex(where: Self.isWordCharacter) {
            let end = text[start...].firstIndex { !Self.isWordCharacter($0) } ?? text.endIndex
            if matches(text[start..<end]) { return start..<end }
            index = end
        }
        return nil
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }

    private func matches(_ word: Substring) -> Bool {
        if word.utf8.allSatisfy({ $0 < 0x80 }) && !word.utf8.contains(where: { initials.contains($0 | 0x20) }) {
            return false
        }
        if !terms.isEmpty && textAnalyzer.tokens(String(word)).contains(where: { terms.contains(Array($0.utf8)) }) {
            return true
        }
        return !prefixes.isEmpty && plainAnalyzer.tokens(String(word)).contains { token in
            prefixes.contains { token.utf8.starts(with: $0) }
        }
    }
}
