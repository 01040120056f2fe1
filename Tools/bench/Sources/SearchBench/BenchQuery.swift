import SearchIndex

/// One benchmark query in our syntax and the two peers' syntaxes.
struct BenchQuery {
    enum Kind: String, CaseIterable {
        case term = "1-term"
        case and = "2-term AND"
        case or = "2-term OR"
        case prefix = "prefix"
        case phrase = "phrase"
    }

    var kind: Kind
    var terms: [UInt32]
    var prefix: String

    func ours(_ corpus: BenchCorpus) -> SearchRequest {
        let words = terms.map { corpus.term($0) }
        switch kind {
        case .term: return SearchRequest(query: words[0], user: nil)
        case .and: return SearchRequest(query: words.joined(separator: " "), user: nil)
        case .or: return SearchRequest(query: words.joined(separator: " "), user: nil, mode: .any)
        case .prefix: return SearchRequest(query: prefix + "*", user: nil)
        case .phrase: return SearchRequest(query: "\"" + words.joined(separator: " ") + "\"", user: nil)
        }
    }

    func postgres(_ corpus: BenchCorpus) -> String {
        let words = terms.map { corpus.term($0) }
        switch kind {
        case .term: return words[0]
        case .and: return words.joined(separator: " & ")
        case .or: return words.joined(separator: " | ")
        case .prefix: return prefix + ":*"
        case .phrase: return words.joined(separator: " <-> ")
        }
    }

    func fts5(_ corpus: BenchCorpus) -> String {
        let words = terms.map { corpus.term($0) }
        switch kind {
        case .term: return words[0]
        case .and: return words.joined(separator: " AND ")
        case .or: return words.joined(separator: " OR ")
        case .prefix: return prefix + "*"
        case .phrase: return "\"" + words.joined(separator: " ") + "\""
        }
    }

    /// 1,000 queries, 200 of each kind, interleaved; words drawn with the corpus's own Zipf distribution.
    static func make(_ corpus: inout BenchCorpus, count: Int) -> [BenchQuery] {
        var queries: [BenchQuery] = []
        let kinds = Kind.allCases
        let documents = corpus.owners.count
        for i in 0..<count {
            let kind = kinds[i % kinds.count]
            switch kind {
            case .term:
                queries.append(BenchQuery(kind: kind, terms: [UInt32(corpus.zipfWord())], prefix: ""))
            case .and, .or:
                var a = corpus.zipfWord(), b = corpus.zipfWord()
                while a == b { b = corpus.zipfWord() }
                if a > b { swap(&a, &b) }
                queries.append(BenchQuery(kind: kind, terms: [UInt32(a), UInt32(b)], prefix: ""))
            case .prefix:
                let word = corpus.vocabulary[corpus.zipfWord()]
                queries.append(BenchQuery(kind: kind, terms: [], prefix: String(word.prefix(3))))
            case .phrase:
                while true {
                    let doc = Int(corpus.random.next() % UInt64(documents))
                    let start = corpus.textStarts[doc], end = corpus.textStarts[doc + 1]
                    guard end - start >= 2 else { continue }
                    let k = start + Int(corpus.random.next() % UInt64(end - start - 1))
                    let terms = [corpus.textTerms[k], corpus.textTerms[k + 1]]
                    queries.append(BenchQuery(kind: kind, terms: terms, prefix: ""))
                    break
                }
            }
        }
        return queries
    }
}
