/// Parses and analyzes query text, refusing hostile input with a clear `invalidQuery` error in linear time.
///
/// Limits: 4,096 bytes of query text, 64 clauses (a window's match mask is 64 bits, and nobody types more) and
/// 8 prefix clauses (each expands to up to `maxPrefixExpansions` terms per field, so this bounds the work);
/// control characters other than tab and newlines are refused rather than silently dropped, so a client bug shows.
struct QueryParser {
    static let maxQueryBytes = 4096
    static let maxClauses = 64
    static let maxPrefixClauses = 8

    let configuration: IndexConfiguration

    func parse(_ request: SearchRequest) throws(SearchIndexError) -> ParsedQuery {
        let text = request.query
        guard text.utf8.count <= Self.maxQueryBytes else {
            throw .invalidQuery("query longer than \(Self.maxQueryBytes) bytes")
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v) {
                throw .invalidQuery("control character U+\(String(v, radix: 16, uppercase: true)) in query")
            }
        }
        var query = ParsedQuery(
            clauses: [], mode: request.mode, types: request.types.map { Analyzer.foldKeyword($0) },
            owner: request.owner, user: request.user,
            modifiedRange: (request.modifiedAfter ?? .min)...(request.modifiedBefore ?? .max),
            createdRange: (request.createdAfter ?? .min)...(request.createdBefore ?? .max))
        guard query.modifiedRange.lowerBound <= query.modifiedRange.upperBound,
              query.createdRange.lowerBound <= query.createdRange.upperBound
        else { throw .invalidQuery("empty date range") }

        let pieces = try split(text)
        let endsInSpace = text.unicodeScalars.last.map { $0 == " " || $0 == "\t" || $0 == "\n" } ?? true
        for (n, piece) in pieces.enumerated() {
            if piece.isPhrase {
                addWords(piece.text, prefix: false, to: &query)
                continue
            }
            let word = piece.text
            if word == "OR" {
                query.mode = .any
                continue
            }
            if try addFilter(word, to: &query) { continue }
            let isLast = n == pieces.count - 1
            if word.hasSuffix("*") {
                let stem = String(word.prefix { $0 != "*" })
                guard !stem.isEmpty else { throw .invalidQuery("a prefix needs at least one character before *") }
                addWords(stem, prefix: true, to: &query)
            } else {
                addWords(word, prefix: isLast && request.prefixLastToken && !endsInSpace, to: &query)
            }
        }
        guard query.clauses.count <= Self.maxClauses else {
            throw .invalidQuery("more than \(Self.maxClauses) query terms")
        }
        let prefixes = query.clauses.filter { if case .prefix = $0 { true } else { false } }.count
        guard prefixes <= Self.maxPrefixClauses else {
            throw .invalidQuery("more than \(Self.maxPrefixClauses) prefix terms")
        }
        let hasFilter = !query.types.isEmpty || query.owner != nil || query.modifiedRange != .min ... .max
            || query.createdRange != .min ... .max
        guard !query.clauses.isEmpty || hasFilter else { throw .invalidQuery("empty query") }
        return query
    }

    private struct Piece {
        var text: String
        var isPhrase: Bool
    }

    /// Splits on whitespace, keeping `"…"` together; an unmatched quote is an error. Walks scalars, testing
    /// ASCII ones directly: Unicode property lookups per character cost more than the rest of a short query's
    /// parse.
    private func split(_ text: String) throws(SearchIndexError) -> [Piece] {
        var pieces: [Piece] = []
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var i = start
        var inQuote = false
        while i < scalars.endIndex {
            let scalar = scalars[i]
            let next = scalars.index(after: i)
            if scalar == "\"" {
                if inQuote || start < i { pieces.append(Piece(text: String(scalars[start..<i]), isPhrase: inQuote)) }
                inQuote.toggle()
                start = next
            } else if !inQuote && Self.isWhitespace(scalar) {
                if start < i { pieces.append(Piece(text: String(scalars[start..<i]), isPhrase: false)) }
                start = next
            }
            i = next
            if pieces.count > Self.maxClauses * 4 { throw .invalidQuery("more than \(Self.maxClauses) query terms") }
        }
        guard !inQuote else { throw .invalidQuery("unbalanced quote") }
        if start < i { pieces.append(Piece(text: String(scalars[start..<i]), isPhrase: false)) }
        return pieces
    }

    @inline(__always)
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    /// Handles `field:value`; returns false for words that are not filters (`c:drive` stays a word).
    private func addFilter(_ word: String, to query: inout ParsedQuery) throws(SearchIndexError) -> Bool {
        guard let colon = word.utf8.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let field = word[..<colon].lowercased()
        let value = String(word[word.index(after: colon)...])
        switch field {
        case "type":
            guard !value.isEmpty else { throw .invalidQuery("type: needs a value") }
            query.types.append(Analyzer.foldKeyword(value))
        case "owner":
            guard !value.isEmpty else { throw .invalidQuery("owner: needs a value") }
            query.owner = value
        case "after":
            let day = try Self.parseDate(value)
            query.modifiedRange = max(day, query.modifiedRange.lowerBound)...query.modifiedRange.upperBound
        case "before":
            let day = try Self.parseDate(value) + 86_399
            guard day >= query.modifiedRange.lowerBound else { throw .invalidQuery("empty date range") }
            query.modifiedRange = query.modifiedRange.lowerBound...min(day, query.modifiedRange.upperBound)
        default:
            return false
        }
        guard query.modifiedRange.lowerBound <= query.modifiedRange.upperBound else {
            throw .invalidQuery("empty date range")
        }
        return true
    }

    /// Seconds since the epoch at 00:00 UTC of a `YYYY-MM-DD` date.
    static func parseDate(_ text: String) throws(SearchIndexError) -> Int64 {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]),
              (1...12).contains(m), (1...31).contains(d)
        else { throw .invalidQuery("bad date \"\(text)\", expected YYYY-MM-DD") }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400
    }

    /// Analyzes a word or phrase into clauses: one token is a term, several are a phrase (a file name like
    /// `q3_report.pdf` should match as written), and with `prefix` the last token becomes a prefix clause.
    private func addWords(_ text: String, prefix: Bool, to query: inout ParsedQuery) {
        let nameTokens = analyze(text, configuration.nameAnalyzer)
        let textTokens = analyze(text, configuration.textAnalyzer)
        guard !nameTokens.isEmpty, nameTokens.count == textTokens.count else { return }
        var tokens = zip(nameTokens, textTokens).map { ParsedQuery.Token(name: $0, text: $1) }
        var prefixToken: [UInt8]?
        if prefix {
            prefixToken = analyze(text, Analyzer(stemming: false)).last
            tokens.removeLast()
        }
        if tokens.count == 1 {
            query.clauses.append(.term(tokens[0]))
        } else if tokens.count > 1 {
            query.clauses.append(.phrase(tokens))
        }
        if let prefixToken { query.clauses.append(.prefix(prefixToken)) }
    }

    private func analyze(_ text: String, _ analyzer: Analyzer) -> [[UInt8]] {
        var stream = TokenStream()
        analyzer.analyze(text, into: &stream)
        return (0..<stream.count).map { stream.token($0) }
    }
}
