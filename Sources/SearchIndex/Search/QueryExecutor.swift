/// Runs a parsed query over a snapshot of segments: index-wide statistics first, then each segment into one heap.
///
/// Statistics (live document count, average field lengths, live df per term and field) are index-wide so a
/// document's score is the same whichever segment holds it, which is what makes results comparable to a
/// brute-force BM25 over the live documents.
struct QueryExecutor {
    let views: [SegmentView]
    let configuration: IndexConfiguration

    private struct ScoredTerm {
        var field: Field
        var key: [UInt8]
        var weight: TermWeight
    }

    private enum PlannedClause {
        /// Union of single terms (a term in name or text; a prefix's expansions).
        case terms([ScoredTerm])
        /// Per field, the phrase's terms in order; a field is absent when some term never occurs in it.
        case phrase([[ScoredTerm]])
    }

    func run(_ query: ParsedQuery, k: Int) -> [SearchHit] {
        let liveCount = views.reduce(0) { $0 + $1.liveCount }
        guard liveCount > 0, k > 0 else { return [] }
        let nameLength = views.reduce(UInt64(0)) { $0 + $1.liveNameLength }
        let textLength = views.reduce(UInt64(0)) { $0 + $1.liveTextLength }
        let averages: [Field: Double] = [
            .name: Double(nameLength) / Double(liveCount), .text: Double(textLength) / Double(liveCount),
        ]
        // Each term's dictionary entry per segment, looked up once: the statistics need it first, then the
        // cursors, and a lookup is a binary search over the dictionary that misses the cache at nearly every step.
        var found: [[UInt8]: [TermInfo?]] = [:]
        var dfCache: [[UInt8]: Int] = [:]
        func liveDF(_ key: [UInt8]) -> Int {
            if let df = dfCache[key] { return df }
            let infos = views.map { $0.reader.lookup(key) }
            var df = 0
            for (view, info) in zip(views, infos) {
                if let info { df += view.liveDF(info) }
            }
            found[key] = infos
            dfCache[key] = df
            return df
        }
        func scoredTerm(_ field: Field, _ key: [UInt8], df: Int) -> ScoredTerm {
            ScoredTerm(
                field: field, key: key,
                weight: TermWeight(
                    boost: field == .name ? configuration.nameBoost : 1,
                    idf: TermWeight.idf(documentCount: liveCount, df: df), k1: configuration.k1, b: configuration.b,
                    averageLength: averages[field]!))
        }
        func term(_ field: Field, _ token: [UInt8]) -> ScoredTerm? {
            let key = [field.rawValue] + token
            let df = liveDF(key)
            return df > 0 ? scoredTerm(field, key, df: df) : nil
        }

        var planned: [PlannedClause] = []
        for clause in query.clauses {
            switch clause {
            case .term(let token):
                planned.append(.terms([term(.name, token.name), term(.text, token.text)].compactMap { $0 }))
            case .prefix(let prefix):
                var terms: [ScoredTerm] = []
                for field in [Field.name, .text] {
                    for (key, df) in expansions(field: field, prefix: prefix) {
                        terms.append(scoredTerm(field, key, df: df))
                    }
                }
                if let word = stemmedText(prefix), let typed = term(.text, word),
                    !terms.contains(where: { $0.key == typed.key })
                {
                    terms.append(typed)
                }
                planned.append(.terms(terms))
            case .phrase(let tokens):
                var fields: [[ScoredTerm]] = []
                let name = tokens.compactMap { term(.name, $0.name) }
                if name.count == tokens.count { fields.append(name) }
                let text = tokens.compactMap { term(.text, $0.text) }
                if text.count == tokens.count { fields.append(text) }
                planned.append(.phrase(fields))
            }
        }

        var heap = TopK(capacity: k) { segmentA, docA, segmentB, docB in
            views[segmentA].reader.idPrecedes(Int(docA), views[segmentB].reader, Int(docB))
        }
        let window = ScoreWindow()
        for (index, view) in views.enumerated() where view.liveCount > 0 {
            guard let clauses = cursors(for: planned, query: query, in: view, at: index, found: found) else { continue }
            SegmentSearcher(
                view: view, segmentIndex: index, clauses: clauses, modifiedRange: query.modifiedRange,
                createdRange: query.createdRange, window: window
            ).run(into: &heap)
        }
        return heap.sorted().map {
            SearchHit(id: views[$0.segment].reader.externalID(Int($0.doc)), score: $0.score)
        }
    }

    /// A prefix's bytes as the text field stores the word: text is stemmed ("reports" is indexed as "report"), so
    /// without this a whole word typed last (search as you type) would not find its own plural in extracted text.
    private func stemmedText(_ prefix: [UInt8]) -> [UInt8]? {
        let tokens = configuration.textAnalyzer.tokens(String(decoding: prefix, as: UTF8.self))
        return tokens.count == 1 ? Array(tokens[0].utf8) : nil
    }

    /// The most frequent terms of `field` starting with `prefix`, with their live df (ties: bytewise order).
    private func expansions(field: Field, prefix: [UInt8]) -> [([UInt8], Int)] {
        var all: [([UInt8], Int)] = []
        for view in views {
            view.reader.terms(withPrefix: [field.rawValue] + prefix) { key, info in
                let df = view.liveDF(info)
                if df > 0 { all.append((key, df)) }
            }
        }
        if views.count > 1 {
            // The same term in several segments: sum its df.
            all.sort { $0.0.lexicographicallyPrecedes($1.0) }
            var merged: [([UInt8], Int)] = []
            for entry in all {
                if let last = merged.last, last.0 == entry.0 {
                    merged[merged.count - 1].1 += entry.1
                } else {
                    merged.append(entry)
                }
            }
            all = merged
        }
        let limit = configuration.maxPrefixExpansions
        if all.count > limit {
            // Only terms at least as frequent as the limit-th most frequent can be chosen.
            let cutoff = all.map(\.1).sorted(by: >)[limit - 1]
            all.removeAll { $0.1 < cutoff }
        }
        all.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lexicographicallyPrecedes($1.0) }
        return Array(all.prefix(limit))
    }

    /// The clause cursors of one segment (`index` in `views`), or nil when no document of it can match. `found`
    /// holds the dictionary entries already looked up, per segment.
    private func cursors(
        for planned: [PlannedClause], query: ParsedQuery, in view: SegmentView, at index: Int,
        found: [[UInt8]: [TermInfo?]]
    ) -> [ClauseCursors]? {
        let reader = view.reader
        func cursor(_ term: ScoredTerm) -> PostingCursor? {
            (found[term.key].map { $0[index] } ?? reader.lookup(term.key)).map {
                PostingCursor(segment: reader, info: $0, field: term.field, weight: term.weight)
            }
        }
        func filter(_ keys: [[UInt8]]) -> [DocCursor] {
            keys.compactMap { key in
                reader.lookup(key).map { PostingCursor(segment: reader, info: $0, field: nil, weight: nil) }
            }
        }
        var result: [ClauseCursors] = []
        var bit: UInt64 = 1
        let scoredRequired = query.mode == .all
        for clause in planned {
            var cursors: [DocCursor] = []
            switch clause {
            case .terms(let terms):
                cursors = terms.compactMap(cursor)
            case .phrase(let fields):
                for terms in fields {
                    let termCursors = terms.compactMap(cursor)
                    if termCursors.count == terms.count {
                        cursors.append(PhraseCursor(terms: termCursors, keys: terms.map(\.key)))
                    }
                }
            }
            if cursors.isEmpty {
                if scoredRequired { return nil }
                continue
            }
            result.append(ClauseCursors(cursors: cursors, required: scoredRequired, bit: bit))
            bit <<= 1
        }
        if !planned.isEmpty && result.isEmpty { return nil }
        var filters: [[DocCursor]] = []
        if !query.types.isEmpty { filters.append(filter(query.types.map { [Field.type.rawValue] + $0 })) }
        if let owner = query.owner { filters.append(filter([[Field.owner.rawValue] + Array(owner.utf8)])) }
        if let user = query.user { filters.append(filter([[Field.reader.rawValue] + Array(user.utf8)])) }
        if planned.isEmpty && filters.isEmpty { filters.append([AllDocsCursor(count: reader.docCount)]) }
        for cursors in filters {
            if cursors.isEmpty { return nil }
            result.append(ClauseCursors(cursors: cursors, required: true, bit: bit))
            bit <<= 1
        }
        return result
    }
}
