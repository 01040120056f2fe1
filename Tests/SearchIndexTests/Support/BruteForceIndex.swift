import Glibc
@testable import SearchIndex

/// The reference: scores every live document against a parsed query by the definitions, with no index at all.
///
/// Written from the documented semantics (`ParsedQuery`, `TermWeight`, `IndexConfiguration`), sharing only the
/// analyzer with the engine: BM25 per field with index-wide live statistics, name boosted, a term clause summing
/// name and text, a prefix clause summing its top expansions per field and the typed word as text stems it, a phrase
/// clause summing its terms in each field where the phrase occurs.
struct BruteForceIndex {
    private struct Analyzed {
        var document: IndexDocument
        var name: [[UInt8]]
        var text: [[UInt8]]
    }

    let configuration: IndexConfiguration
    private var documents: [String: Analyzed] = [:]

    init(configuration: IndexConfiguration) {
        self.configuration = configuration
    }

    var count: Int { documents.count }
    var ids: Set<String> { Set(documents.keys) }

    mutating func add(_ document: IndexDocument) {
        documents[document.id] = Analyzed(
            document: document,
            name: configuration.nameAnalyzer.tokens(document.name).map { Array($0.utf8) },
            text: configuration.textAnalyzer.tokens(document.text).map { Array($0.utf8) })
    }

    mutating func delete(id: String) {
        documents[id] = nil
    }

    func search(_ query: ParsedQuery, offset: Int, limit: Int) -> [SearchHit] {
        let all = Array(documents.values)
        let n = Double(all.count)
        guard !all.isEmpty else { return [] }
        let avgName = Double(all.reduce(0) { $0 + $1.name.count }) / n
        let avgText = Double(all.reduce(0) { $0 + $1.text.count }) / n
        func tokens(_ d: Analyzed, _ field: Field) -> [[UInt8]] { field == .name ? d.name : d.text }
        var dfCache: [[UInt8]: Int] = [:]
        func df(_ field: Field, _ token: [UInt8]) -> Int {
            let key = [field.rawValue] + token
            if let cached = dfCache[key] { return cached }
            let value = all.filter { tokens($0, field).contains(token) }.count
            dfCache[key] = value
            return value
        }
        func bm25(_ d: Analyzed, _ field: Field, _ token: [UInt8], df: Int) -> Double {
            let tf = Double(tokens(d, field).filter { $0 == token }.count)
            guard tf > 0 else { return 0 }
            let idf = Glibc.log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5))
            let length = Double(tokens(d, field).count)
            let avg = field == .name ? avgName : avgText
            let boost = field == .name ? configuration.nameBoost : 1
            let k1 = configuration.k1, b = configuration.b
            return boost * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
        }
        func expansions(_ field: Field, _ prefix: [UInt8]) -> [[UInt8]] {
            var vocabulary = Set<[UInt8]>()
            for d in all { for t in tokens(d, field) where t.starts(with: prefix) { vocabulary.insert(t) } }
            let ranked = vocabulary.map { ($0, df(field, $0)) }.sorted {
                $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lexicographicallyPrecedes($1.0)
            }
            return ranked.prefix(configuration.maxPrefixExpansions).map(\.0)
        }
        func phraseOccurs(_ words: [[UInt8]], in field: [[UInt8]]) -> Bool {
            guard field.count >= words.count else { return false }
            for start in 0...(field.count - words.count) where Array(field[start..<start + words.count]) == words {
                return true
            }
            return false
        }
        var prefixTerms: [[UInt8]: [(Field, [UInt8])]] = [:]
        for case .prefix(let p) in query.clauses {
            var terms = expansions(.name, p).map { (Field.name, $0) } + expansions(.text, p).map { (Field.text, $0) }
            let typed = configuration.textAnalyzer.tokens(String(decoding: p, as: UTF8.self)).map { Array($0.utf8) }
            if typed.count == 1, df(.text, typed[0]) > 0,
                !terms.contains(where: { $0.0 == .text && $0.1 == typed[0] })
            {
                terms.append((.text, typed[0]))
            }
            prefixTerms[p] = terms
        }

        var hits: [SearchHit] = []
        for d in all {
            let doc = d.document
            if !query.types.isEmpty && !query.types.contains(Analyzer.foldKeyword(doc.type)) { continue }
            if let owner = query.owner, owner != doc.owner { continue }
            if let user = query.user, user != doc.owner && !doc.readers.contains(user) { continue }
            guard query.modifiedRange.contains(doc.modified), query.createdRange.contains(doc.created) else {
                continue
            }
            var score = 0.0
            var matched = 0
            for clause in query.clauses {
                var clauseScore = 0.0
                var hit = false
                switch clause {
                case .term(let token):
                    for (field, t) in [(Field.name, token.name), (.text, token.text)]
                    where tokens(d, field).contains(t) {
                        hit = true
                        clauseScore += bm25(d, field, t, df: df(field, t))
                    }
                case .prefix(let p):
                    for (field, t) in prefixTerms[p]! where tokens(d, field).contains(t) {
                        hit = true
                        clauseScore += bm25(d, field, t, df: df(field, t))
                    }
                case .phrase(let words):
                    for field in [Field.name, .text] {
                        let ws = words.map { field == .name ? $0.name : $0.text }
                        guard phraseOccurs(ws, in: tokens(d, field)) else { continue }
                        hit = true
                        for w in ws { clauseScore += bm25(d, field, w, df: df(field, w)) }
                    }
                }
                if hit {
                    matched += 1
                    score += clauseScore
                }
            }
            let accepted = query.clauses.isEmpty || (query.mode == .all ? matched == query.clauses.count : matched > 0)
            if accepted { hits.append(SearchHit(id: doc.id, score: score)) }
        }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(hits.dropFirst(offset).prefix(limit))
    }
}
