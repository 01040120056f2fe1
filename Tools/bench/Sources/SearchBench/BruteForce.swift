#if canImport(Glibc)
import Glibc
#endif
import SearchIndex

/// Scores every document of the corpus against a query by the engine's documented BM25 semantics, to measure the
/// top-10 overlap of ours and the peers with the exact ranking.
struct BruteForce {
    let corpus: BenchCorpus
    let configuration = IndexConfiguration()
    var dfName: [Int]
    var dfText: [Int]
    let averageName: Double
    let averageText: Double
    let documents: Int

    init(corpus: BenchCorpus) {
        self.corpus = corpus
        documents = corpus.owners.count
        dfName = [Int](repeating: 0, count: corpus.termCount)
        dfText = [Int](repeating: 0, count: corpus.termCount)
        var seen = [Int](repeating: -1, count: corpus.termCount)
        for d in 0..<documents {
            for t in corpus.nameTerms[corpus.nameStarts[d]..<corpus.nameStarts[d + 1]] where seen[Int(t)] != d {
                seen[Int(t)] = d
                dfName[Int(t)] += 1
            }
        }
        seen = [Int](repeating: -1, count: corpus.termCount)
        for d in 0..<documents {
            for t in corpus.textTerms[corpus.textStarts[d]..<corpus.textStarts[d + 1]] where seen[Int(t)] != d {
                seen[Int(t)] = d
                dfText[Int(t)] += 1
            }
        }
        averageName = Double(corpus.nameTerms.count) / Double(documents)
        averageText = Double(corpus.textTerms.count) / Double(documents)
    }

    private func bm25(tf: Int, length: Int, df: Int, name: Bool) -> Double {
        let n = Double(documents), f = Double(tf)
        let idf = log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5))
        let k1 = configuration.k1, b = configuration.b
        let avg = name ? averageName : averageText
        return (name ? configuration.nameBoost : 1) * idf * f * (k1 + 1)
            / (f + k1 * (1 - b + b * Double(length) / avg))
    }

    private func expansions(_ prefix: String, name: Bool) -> [UInt32] {
        let df = name ? dfName : dfText
        var matches: [(UInt32, Int, String)] = []
        for t in 0..<corpus.termCount where df[t] > 0 {
            let word = corpus.term(UInt32(t))
            if word.hasPrefix(prefix) { matches.append((UInt32(t), df[t], word)) }
        }
        matches.sort { $0.1 != $1.1 ? $0.1 > $1.1 : Array($0.2.utf8).lexicographicallyPrecedes(Array($1.2.utf8)) }
        return matches.prefix(configuration.maxPrefixExpansions).map(\.0)
    }

    /// Score of one field for a clause, or nil when the clause does not match in it.
    private func fieldScore(_ query: BenchQuery, clause: Int, tokens: ArraySlice<UInt32>, name: Bool,
                            expansion: [Int32]) -> Double? {
        let df = name ? dfName : dfText
        switch query.kind {
        case .prefix:
            var score = 0.0
            var counts: [Int32: Int] = [:]
            for t in tokens where expansion[Int(t)] >= 0 { counts[Int32(t), default: 0] += 1 }
            if counts.isEmpty { return nil }
            for (t, tf) in counts { score += bm25(tf: tf, length: tokens.count, df: df[Int(t)], name: name) }
            return score
        case .phrase:
            let a = query.terms[0], b = query.terms[1]
            var found = false
            var i = tokens.startIndex
            while i + 1 < tokens.endIndex {
                if tokens[i] == a && tokens[i + 1] == b { found = true; break }
                i += 1
            }
            guard found else { return nil }
            var score = 0.0
            for t in [a, b] {
                let tf = tokens.filter { $0 == t }.count
                score += bm25(tf: tf, length: tokens.count, df: df[Int(t)], name: name)
            }
            return score
        default:
            let t = query.terms[clause]
            let tf = tokens.filter { $0 == t }.count
            return tf > 0 ? bm25(tf: tf, length: tokens.count, df: df[Int(t)], name: name) : nil
        }
    }

    func top10(_ query: BenchQuery) -> [String] {
        var nameExpansion = [Int32](repeating: -1, count: corpus.termCount)
        var textExpansion = nameExpansion
        if query.kind == .prefix {
            for (i, t) in expansions(query.prefix, name: true).enumerated() { nameExpansion[Int(t)] = Int32(i) }
            for (i, t) in expansions(query.prefix, name: false).enumerated() { textExpansion[Int(t)] = Int32(i) }
        }
        let clauses = (query.kind == .and || query.kind == .or) ? 2 : 1
        var hits: [(Double, Int)] = []
        for d in 0..<documents {
            let name = corpus.nameTerms[corpus.nameStarts[d]..<corpus.nameStarts[d + 1]]
            let text = corpus.textTerms[corpus.textStarts[d]..<corpus.textStarts[d + 1]]
            var score = 0.0
            var matched = 0
            for c in 0..<clauses {
                let s1 = fieldScore(query, clause: c, tokens: name, name: true, expansion: nameExpansion)
                let s2 = fieldScore(query, clause: c, tokens: text, name: false, expansion: textExpansion)
                if s1 != nil || s2 != nil {
                    matched += 1
                    score += (s1 ?? 0) + (s2 ?? 0)
                }
            }
            if query.kind == .or ? matched > 0 : matched == clauses { hits.append((score, d)) }
        }
        hits.sort { $0.0 > $1.0 }
        guard !hits.isEmpty else { return [] }
        let cutoff = hits[min(9, hits.count - 1)].0
        var best = hits.prefix { $0.0 >= cutoff }.map { ($0.0, "d\($0.1)") }
        best.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        return best.prefix(10).map(\.1)
    }
}
