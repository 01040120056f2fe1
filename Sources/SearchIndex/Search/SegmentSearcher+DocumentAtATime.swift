/// The search for queries whose clauses are all required and whose cheapest clause is sparse: one document at a
/// time rather than windows.
///
/// A rare word ANDed with a frequent one leaves a window or two of 2,048 documents per candidate, and the fixed
/// work of a window (bounding every cursor over it, lining the clauses up, clearing and scanning it) cost more than
/// the candidate itself. Here each candidate of the lead clause is scored on its own, and the other clauses are
/// probed at it (skip data, then only the block that can hold it) only while its score plus what they could
/// still add reaches the heap's threshold. The windowed search's pruning carries over: the lead clause's MaxScore
/// split (a term's text postings stop leading once only documents with it in the name can win) and a lead cursor
/// passing over blocks whose impacts cannot reach the threshold. A phrase lead reads positions only for documents
/// whose score can still make the top-k. The lead's candidates' field lengths are loaded a batch ahead
/// (`PostingCursor.touchLengths`), so their cache misses overlap instead of coming one candidate after another.
extension SegmentSearcher {
    /// How many candidates of a lead each batch of length loads covers.
    static let touchedAhead = 16

    /// Whether a required-only query whose cheapest clause visits `leadCost` documents goes one document at a
    /// time: when that clause has under one candidate per 64 documents (a few per window), windows cost more than
    /// they save.
    static func leadsDocumentAtATime(leadCost: Int, docCount: Int) -> Bool {
        leadCost * 64 <= docCount
    }

    func runDocumentAtATime(into heap: inout TopK, required: [ClauseCursors], lead: Int) {
        let reader = view.reader
        let requiredMask = required.reduce(UInt64(0)) { $0 | $1.bit }
        let leadBit = required[lead].bit
        let leadCursors = required[lead].cursors.sorted { $0.maxScore < $1.maxScore }
            .map { CursorRef(cursor: $0, bit: leadBit) }
        let leadMax = leadCursors.map(\.cursor.maxScore)
        var othersMax = 0.0
        for clause in required where clause.bit != leadBit {
            for cursor in clause.cursors { othersMax += cursor.maxScore }
        }
        let totalMax = othersMax + leadMax.reduce(0, +)
        let checkDates = modifiedRange != Int64.min...Int64.max || createdRange != Int64.min...Int64.max
        let hasDeletes = view.deletes != nil
        let deletes = view.deletes ?? Bitset(count: 0)

        var plan = Plan()
        var touchedUntil: UInt32 = 0
        var firstLeadEssential = -1
        var planThreshold = Double.nan
        // The summed maxima of the probes from each index on, and what each lead cursor must reach.
        var remaining: [Double] = []
        var minimums = [Double](repeating: -Double.infinity, count: leadCursors.count)
        for lead in leadCursors {
            guard let phrase = lead.cursor as? PhraseCursor else { continue }
            phrase.companions = required.flatMap(\.cursors).filter { $0.isScored && $0 !== phrase }
                .map { .passUnretained($0) }
        }
        while true {
            let threshold = heap.threshold
            if !(threshold == planThreshold) {
                planThreshold = threshold
                // At least one lead cursor stays, so the lead clause still chooses candidates.
                var essential = 0
                var leadSum = othersMax
                while essential + 1 < leadCursors.count && leadSum + leadMax[essential] < threshold {
                    leadSum += leadMax[essential]
                    essential += 1
                }
                if essential != firstLeadEssential {
                    firstLeadEssential = essential
                    plan = self.plan(
                        required: required, cheapest: lead, leadCursors: leadCursors,
                        firstLeadEssential: essential, optional: [], firstEssential: 0)
                    remaining = [Double](repeating: 0, count: plan.probes.count + 1)
                    for i in stride(from: plan.probes.count - 1, through: 0, by: -1) {
                        let cursor = plan.probes[i].cursor
                        remaining[i] = remaining[i + 1] + (cursor.isScored ? cursor.maxScore : 0)
                    }
                }
                if heap.isFull {
                    for i in firstLeadEssential..<leadCursors.count {
                        // Less than a rounding error of slack, so a tie with the threshold is never lost.
                        let others = totalMax - leadMax[i]
                        minimums[i] = threshold - others - 1e-9 * (abs(threshold) + abs(others))
                        if let phrase = leadCursors[i].cursor as? PhraseCursor {
                            // Bounded per block against the others' block maxima (`companions`), not their maxima.
                            phrase.minimumScore = threshold
                            phrase.minimumScoreEnd = DocCursor.exhausted
                        }
                    }
                }
            }
            var doc = DocCursor.exhausted
            for i in firstLeadEssential..<leadCursors.count {
                doc = min(doc, leadCursors[i].reference._withUnsafeGuaranteedRef { $0.doc })
            }
            if doc == DocCursor.exhausted { break }
            // Until the heap is full nothing is pruned by score, so the probes decide first: two rare words meet in
            // few documents, and scoring each candidate of one first would read the field length of every one.
            let scoresFirst = heap.isFull
            if scoresFirst && doc >= touchedUntil {
                touchedUntil = DocCursor.exhausted
                for i in firstLeadEssential..<leadCursors.count {
                    guard let cursor = leadCursors[i].cursor as? PostingCursor, cursor.isScored else { continue }
                    touchedUntil = min(touchedUntil, cursor.touchLengths(limit: Self.touchedAhead))
                }
            }
            let live = !(hasDeletes && deletes.contains(Int(doc)))
                && (!checkDates
                    || modifiedRange.contains(reader.modified(Int(doc)))
                        && createdRange.contains(reader.created(Int(doc))))
            let scoring = live
                && (scoresFirst || plan.probes.withUnsafeBufferPointer {
                    matchesAll(doc: doc, mask: leadBit, probes: $0, requiredMask: requiredMask)
                })
            var score = 0.0
            for i in firstLeadEssential..<leadCursors.count {
                leadCursors[i].reference._withUnsafeGuaranteedRef { cursor in
                    guard cursor.doc == doc else { return }
                    if scoring && cursor.isScored { score += cursor.score() }
                    cursor.nextCandidate(minimum: minimums[i])
                }
            }
            guard scoring else { continue }
            let hit = plan.probes.withUnsafeBufferPointer { probes in
                remaining.withUnsafeBufferPointer { remaining in
                    probe(
                        doc: doc, mask: leadBit, score: score, probes: probes, remaining: remaining,
                        threshold: threshold, requiredMask: requiredMask, optionalMask: 0)
                }
            }
            if let hit { heap.offer(score: hit, segment: segmentIndex, doc: doc) }
        }
    }

    /// Whether `doc`, a candidate of the lead clause, is in every other required clause: the probes are moved to it
    /// without scoring.
    private func matchesAll(
        doc: UInt32, mask: UInt64, probes: UnsafeBufferPointer<Probe>, requiredMask: UInt64
    ) -> Bool {
        var mask = mask
        for probe in probes {
            let there = probe.reference._withUnsafeGuaranteedRef { cursor in
                cursor.advance(to: doc)
                return cursor.doc == doc
            }
            if there { mask |= probe.bit }
            if probe.closesClause && mask & probe.bit == 0 { return false }
        }
        return mask & requiredMask == requiredMask
    }
}
