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
        /// The term's dictionary entry in each view (nil where it does not occur).
        var infos: [TermInfo?]
    }

    /// A term's dictionary entries per view and its live df over them.
    private struct LookedUp {
        var df: Int
        var infos: [TermInfo?]
    }

    /// A term key hashed as one run of bytes: `[UInt8]`'s own hashing feeds the hasher a byte at a time.
    private struct TermKey: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
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
        let nameAverage = Double(nameLength) / Double(liveCount), textAverage = Double(textLength) / Double(liveCount)
        // Each term's dictionary entries and live df, looked up once: the statistics need them first, then the
        // cursors, and a word may repeat (with tombstones, its live df is a pass over its postings).
        var lookedUp = [TermKey: LookedUp](minimumCapacity: 8)
        func lookUp(_ key: [UInt8]) -> LookedUp {
            if let known = lookedUp[TermKey(bytes: key)] { return known }
            let infos = views.map { $0.reader.lookup(key) }
            var df = 0
            for (view, info) in zip(views, infos) {
                if let info { df += view.liveDF(info) }
            }
            let result = LookedUp(df: df, infos: infos)
            lookedUp[TermKey(bytes: key)] = result
            return result
        }
        func scoredTerm(_ field: Field, _ key: [UInt8], _ found: LookedUp) -> ScoredTerm {
            ScoredTerm(
                field: field, key: key,
                weight: TermWeight(
                    boost: field == .name ? configuration.nameBoost : 1,
                    idf: TermWeight.idf(documentCount: liveCount, df: found.df), k1: configuration.k1,
                    b: configuration.b, averageLength: field == .name ? nameAverage : textAverage),
                infos: found.infos)
        }
        func term(_ field: Field, _ token: [UInt8]) -> ScoredTerm? {
            let key = [field.rawValue] + token
            let found = lookUp(key)
            return found.df > 0 ? scoredTerm(field, key, found) : nil
        }

        var planned: [PlannedClause] = []
        for clause in query.clauses {
            switch clause {
            case .term(let token):
                planned.append(.terms([term(.name, token.name), term(.text, token.text)].compactMap { $0 }))
            case .prefix(let prefix):
                var terms: [ScoredTerm] = []
                for field in [Field.name, .text] {
                    for (key, found) in expansions(field: field, prefix: prefix) {
                        terms.append(scoredTerm(field, key, found))
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
            guard let clauses = cursors(for: planned, query: query, in: view, at: index) else { continue }
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

    /// The most frequent terms of `field` starting with `prefix`, with their entries and live df (ties: bytewise
    /// order).
    private func expansions(field: Field, prefix: [UInt8]) -> [([UInt8], LookedUp)] {
        // Every segment's matches in one flat list, each tagged with its term's slot in `terms` (a term in several
        // segments has one slot, its df summed). A short prefix (the last fragment of a typed id or hash) matches
        // thousands of terms: no array per match, and only the chosen few are sorted.
        var terms: [TermKey: Int] = [:]
        var keys: [[UInt8]] = []
        var termDF: [Int] = []
        var matches: [(term: Int, segment: Int, info: TermInfo)] = []
        for (segment, view) in views.enumerated() {
            view.reader.terms(withPrefix: [field.rawValue] + prefix) { key, info in
                let df = view.liveDF(info)
                guard df > 0 else { return }
                // One segment holds each term once: only several need the hash to find a term seen before.
                if views.count > 1, let known = terms[TermKey(bytes: key)] {
                    termDF[known] += df
                    matches.append((known, segment, info))
                    return
                }
                if views.count > 1 { terms[TermKey(bytes: key)] = keys.count }
                matches.append((keys.count, segment, info))
                keys.append(key)
                termDF.append(df)
            }
        }
        let limit = configuration.maxPrefixExpansions
        var chosen = Array(keys.indices)
        if chosen.count > limit {
            // Only terms at least as frequent as the limit-th most frequent can be chosen.
            let cutoff = termDF.sorted(by: >)[limit - 1]
            chosen.removeAll { termDF[$0] < cutoff }
        }
        chosen.sort { a, b in
            termDF[a] != termDF[b] ? termDF[a] > termDF[b] : keys[a].lexicographicallyPrecedes(keys[b])
        }
        chosen.removeLast(max(0, chosen.count - limit))
        var position = [Int](repeating: -1, count: keys.count)
        var expanded: [([UInt8], LookedUp)] = []
        let noEntries = [TermInfo?](repeating: nil, count: views.count)
        for slot in chosen {
            position[slot] = expanded.count
            expanded.append((keys[slot], LookedUp(df: termDF[slot], infos: noEntries)))
        }
        for match in matches where position[match.term] >= 0 {
            expanded[position[match.term]].1.infos[match.segment] = match.info
        }
        return expanded
    }

    /// The clause cursors of one segment (`index` in `views`), or nil when no document of it can match.
    private func cursors(
        for planned: [PlannedClause], query: ParsedQuery, in view: SegmentView, at index: Int
    ) -> [ClauseCursors]? {
        let reader = view.reader
        func cursor(_ term: ScoredTerm) -> PostingCursor? {
            term.infos[index].map { PostingCursor(segment: reader, info: $0, field: term.field, weight: term.weight) }
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
