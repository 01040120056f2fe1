/// One query clause in one segment: the cursors whose union matches it.
struct ClauseCursors {
    var cursors: [DocCursor]
    var required: Bool
    var bit: UInt64
    /// How many documents its cursors visit, summed once: planning compares clauses by it many times.
    let cost: Int

    init(cursors: [DocCursor], required: Bool, bit: UInt64) {
        self.cursors = cursors
        self.required = required
        self.bit = bit
        cost = cursors.reduce(0) { $0 + $1.cost }
    }
}

/// Finds the top documents of one segment: windowed scoring led by the cheapest clause, MaxScore and block-max
/// pruning.
///
/// The doc-id space is walked in windows of `ScoreWindow.size`. A window starts where every required clause
/// (AND terms, filters, the ACL) has a candidate — they leapfrog with skip data, so the ACL narrows the search while
/// postings are iterated, never after top-k. For optional clauses (OR) a MaxScore split applies: the cursors whose
/// summed maxima cannot beat the heap's threshold are non-essential and never choose a window. A window whose
/// summed block-max bounds cannot beat the threshold is skipped without decoding a block.
///
/// In a surviving window only the *lead* cursors are accumulated posting by posting: the cheapest required clause,
/// or the essential optional cursors, whichever visits fewer documents. Every other cursor is *probed* at the
/// lead's candidates in doc order (`advance(to:)` then `score()`), cheap filters first, and a candidate is dropped
/// as soon as its score plus the block-max bounds of the cursors still to probe cannot beat the threshold. So a
/// frequent word ANDed or ORed with a rare one costs about the rare one's postings, not the frequent one's. The
/// lead clause gets a MaxScore split of its own (a term's text cursor stops leading once only documents with the
/// term in their name can make the top-k; a prefix's frequent, low-idf expansions stop leading), and a lead skips
/// whole blocks whose impacts cannot reach the threshold given what the other cursors could add.
struct SegmentSearcher {
    let view: SegmentView
    let segmentIndex: Int
    let clauses: [ClauseCursors]
    let modifiedRange: ClosedRange<Int64>
    let createdRange: ClosedRange<Int64>
    let window: ScoreWindow

    /// A cursor probed at candidates; `closesClause` marks the last cursor of a required clause, after which the
    /// candidate must carry that clause's bit.
    struct Probe {
        /// Unmanaged: `clauses` keeps every cursor alive for the whole run, and a strong reference costs a retain
        /// and a release per probe of every candidate (hot loops use it through `_withUnsafeGuaranteedRef`).
        let reference: Unmanaged<DocCursor>
        let bit: UInt64
        let closesClause: Bool

        init(cursor: DocCursor, bit: UInt64, closesClause: Bool) {
            reference = .passUnretained(cursor)
            self.bit = bit
            self.closesClause = closesClause
        }

        var cursor: DocCursor { reference.takeUnretainedValue() }
    }

    /// A cursor and its clause's bit for the per-window loops. Unowned for the same reason as `Probe`: in windows
    /// with few candidates, retaining each cursor at each use cost more than the search itself.
    struct CursorRef {
        let reference: Unmanaged<DocCursor>
        let bit: UInt64

        init(cursor: DocCursor, bit: UInt64) {
            reference = .passUnretained(cursor)
            self.bit = bit
        }

        var cursor: DocCursor { reference.takeUnretainedValue() }
    }

    /// Which cursors lead a window and which are probed, for one MaxScore split.
    struct Plan {
        var leads: [CursorRef] = []
        var probes: [Probe] = []
    }

    /// The plan for one MaxScore split: optional cursors before `firstEssential` (ascending maxScore) cannot reach
    /// the threshold alone, nor can the cheapest required clause's cursors before `firstLeadEssential` (ascending
    /// maxScore, in `leadCursors`) with everything else added.
    func plan(
        required: [ClauseCursors], cheapest: Int?, leadCursors: [CursorRef], firstLeadEssential: Int,
        optional: [CursorRef], firstEssential: Int
    ) -> Plan {
        var plan = Plan()
        let essentialCost = optional[firstEssential...].reduce(0) { $0 + $1.cursor.cost }
        let leadCost = leadCursors[firstLeadEssential...].reduce(0) { $0 + $1.cursor.cost }
        var probedRequired = required
        var probedLead: ArraySlice<CursorRef> = []
        var probedOptional = optional[..<firstEssential]
        if let cheapest, optional.isEmpty || leadCost <= essentialCost {
            plan.leads = Array(leadCursors[firstLeadEssential...])
            probedLead = leadCursors[..<firstLeadEssential]
            probedRequired.remove(at: cheapest)
            probedOptional = optional[...]
        } else {
            plan.leads = Array(optional[firstEssential...])
        }
        // Filters first (cheap, no score), then rarer clauses; optional cursors by descending bound.
        probedRequired.sort { a, b in
            let aScored = a.cursors.contains(where: \.isScored), bScored = b.cursors.contains(where: \.isScored)
            return aScored != bScored ? !aScored : a.cost < b.cost
        }
        for clause in probedRequired {
            for (i, cursor) in clause.cursors.enumerated() {
                plan.probes.append(Probe(cursor: cursor, bit: clause.bit, closesClause: i == clause.cursors.count - 1))
            }
        }
        if let cheapest {
            // The lead clause's bit is already set on every candidate; these only add score.
            for entry in probedLead.reversed() {
                plan.probes.append(Probe(cursor: entry.cursor, bit: required[cheapest].bit, closesClause: false))
            }
        }
        for entry in probedOptional.reversed() {
            plan.probes.append(Probe(cursor: entry.cursor, bit: entry.bit, closesClause: false))
        }
        return plan
    }

    func run(into heap: inout TopK) {
        let reader = view.reader
        let maxDoc = UInt32(reader.docCount)
        let required = clauses.filter(\.required)
        // The cheapest required clause may lead; within it a MaxScore split applies too (a term's text postings
        // stop leading once only documents with it in the name as well can make the top-k).
        let cheapest = required.indices.min { required[$0].cost < required[$1].cost }
        if required.count == clauses.count, let cheapest,
            Self.leadsDocumentAtATime(leadCost: required[cheapest].cost, docCount: Int(maxDoc))
        {
            runDocumentAtATime(into: &heap, required: required, lead: cheapest)
            return
        }
        let requiredMask = required.reduce(UInt64(0)) { $0 | $1.bit }
        let optionalClauses = clauses.filter { !$0.required }
        let optionalMask = optionalClauses.reduce(UInt64(0)) { $0 | $1.bit }
        let optional = optionalClauses
            .flatMap { clause in clause.cursors.map { CursorRef(cursor: $0, bit: clause.bit) } }
            .sorted { $0.cursor.maxScore < $1.cursor.maxScore }
        let scored = clauses.flatMap(\.cursors).filter(\.isScored)
        let scoredRefs = scored.map { CursorRef(cursor: $0, bit: 0) }
        let optionalMax = optional.map(\.cursor.maxScore)
        let checkDates = modifiedRange != Int64.min...Int64.max || createdRange != Int64.min...Int64.max
        let phrases = scored.compactMap { $0 as? PhraseCursor }
        let hasDeletes = view.deletes != nil
        let deletes = view.deletes ?? Bitset(count: 0)
        let leadBit = cheapest.map { required[$0].bit } ?? 0
        let leadCursors = (cheapest.map { required[$0].cursors.sorted { $0.maxScore < $1.maxScore } } ?? [])
            .map { CursorRef(cursor: $0, bit: leadBit) }
        let leadMax = leadCursors.map(\.cursor.maxScore)
        let leadOthersMax = clauses.filter { $0.bit != leadBit }.flatMap(\.cursors).reduce(0) { $0 + $1.maxScore }
        // The required clauses' cursors one after another (`requiredEnds` closes each), for leapfrogging; the lead
        // clause's are in `leadCursors` order from `leadStart`, so its essential ones are a suffix.
        var requiredRefs: [CursorRef] = []
        var requiredEnds: [Int] = []
        var leadStart = 0
        // A clause far denser than the lead places windows from its skip data alone: it nearly always has a
        // candidate near the lead's, and finding the exact one would decode a block per window.
        var placedBySkipData: [Bool] = []
        let leadCost = cheapest.map { required[$0].cost } ?? 0
        for clause in required {
            if clause.bit == leadBit {
                leadStart = requiredRefs.count
                requiredRefs += leadCursors
            } else {
                requiredRefs += clause.cursors.map { CursorRef(cursor: $0, bit: clause.bit) }
            }
            requiredEnds.append(requiredRefs.count)
            placedBySkipData.append(clause.bit != leadBit && clause.cost >= 4 * leadCost)
        }
        var current: UInt32 = 0
        var planFirstEssential = 0
        var planFirstLeadEssential = 0
        var plan = plan(
            required: required, cheapest: cheapest, leadCursors: leadCursors, firstLeadEssential: 0,
            optional: optional, firstEssential: 0)
        // Per window: the summed bounds of the probes from each index on.
        var remaining: [Double] = [0]

        outer: while current < maxDoc {
            var start = current
            let threshold = heap.threshold
            var firstEssential = 0
            var sum = 0.0
            while firstEssential < optional.count && sum + optionalMax[firstEssential] < threshold {
                sum += optionalMax[firstEssential]
                firstEssential += 1
            }
            // At least one lead cursor stays, so the lead clause still chooses windows.
            var firstLeadEssential = 0
            var leadSum = leadOthersMax
            while firstLeadEssential + 1 < leadCursors.count
                && leadSum + leadMax[firstLeadEssential] < threshold
            {
                leadSum += leadMax[firstLeadEssential]
                firstLeadEssential += 1
            }
            if firstEssential != planFirstEssential || firstLeadEssential != planFirstLeadEssential {
                planFirstEssential = firstEssential
                planFirstLeadEssential = firstLeadEssential
                plan = self.plan(
                    required: required, cheapest: cheapest, leadCursors: leadCursors,
                    firstLeadEssential: firstLeadEssential, optional: optional, firstEssential: firstEssential)
            }
            if !optional.isEmpty {
                var next = DocCursor.exhausted
                for i in firstEssential..<optional.count {
                    optional[i].reference._withUnsafeGuaranteedRef { cursor in
                        cursor.advance(to: start)
                        next = min(next, cursor.doc)
                    }
                }
                if next == DocCursor.exhausted { break }
                start = next
            }
            var clauseStart = 0
            for (clause, clauseEnd) in requiredEnds.enumerated() {
                var next = DocCursor.exhausted
                // A document matching the lead clause only through its non-essential cursors cannot be a hit.
                let first = clauseStart == leadStart ? leadStart + firstLeadEssential : clauseStart
                clauseStart = clauseEnd
                let bySkipData = placedBySkipData[clause]
                for i in first..<clauseEnd {
                    requiredRefs[i].reference._withUnsafeGuaranteedRef { cursor in
                        if bySkipData {
                            next = min(next, cursor.firstCandidate(from: start))
                        } else {
                            cursor.advance(to: start)
                            next = min(next, cursor.doc)
                        }
                    }
                }
                if next == DocCursor.exhausted { break outer }
                if next > start {
                    current = next
                    continue outer
                }
            }
            if start >= maxDoc { break }
            let end = start &+ UInt32(ScoreWindow.size) > maxDoc || start > UInt32.max - UInt32(ScoreWindow.size)
                ? maxDoc : start + UInt32(ScoreWindow.size)
            var windowBound = 0.0
            if heap.isFull {
                var bound = 0.0
                for i in 0..<scoredRefs.count {
                    bound += scoredRefs[i].reference._withUnsafeGuaranteedRef { $0.upperBound(from: start, to: end) }
                }
                windowBound = bound
                if bound < threshold {
                    current = end
                    continue
                }
                for phrase in phrases {
                    // Less than a rounding error of slack, so a tie with the threshold is never lost.
                    let others = bound - phrase.upperBound(from: start, to: end)
                    phrase.minimumScore = threshold - others - 1e-9 * (abs(threshold) + abs(others))
                    phrase.minimumScoreEnd = end
                }
            }
            window.reset(base: start)
            let isFull = heap.isFull
            for i in 0..<plan.leads.count {
                let bit = plan.leads[i].bit
                plan.leads[i].reference._withUnsafeGuaranteedRef { cursor in
                    var minimum = -Double.infinity
                    if isFull && cursor.isScored {
                        let others = windowBound - cursor.upperBound(from: start, to: end)
                        minimum = threshold - others - 1e-9 * (abs(threshold) + abs(others))
                    }
                    cursor.collect(until: end, into: window, bit: bit, minimum: minimum)
                }
            }
            plan.probes.withUnsafeBufferPointer { probes in
                if remaining.count != probes.count + 1 {
                    remaining = [Double](repeating: 0, count: probes.count + 1)
                }
                for i in stride(from: probes.count - 1, through: 0, by: -1) {
                    remaining[i] = remaining[i + 1] + probes[i].reference._withUnsafeGuaranteedRef {
                        $0.isScored ? $0.upperBound(from: start, to: end) : 0
                    }
                }
                remaining.withUnsafeBufferPointer { remaining in
                    for w in 0..<ScoreWindow.words {
                        var bits = window.occupied[w]
                        while bits != 0 {
                            let slot = w << 6 | bits.trailingZeroBitCount
                            bits &= bits - 1
                            let doc = Int(start) + slot
                            if hasDeletes && deletes.contains(doc) { continue }
                            if checkDates {
                                guard modifiedRange.contains(reader.modified(doc)),
                                      createdRange.contains(reader.created(doc))
                                else { continue }
                            }
                            guard let score = probe(
                                doc: UInt32(doc), mask: window.masks[slot], score: window.scores[slot],
                                probes: probes, remaining: remaining, threshold: heap.threshold,
                                requiredMask: requiredMask, optionalMask: optionalMask)
                            else { continue }
                            heap.offer(score: score, segment: segmentIndex, doc: UInt32(doc))
                        }
                    }
                }
            }
            current = end
        }
    }

    /// Completes a lead's candidate with the probed cursors; its score, or nil when it cannot enter the heap.
    @inline(__always)
    func probe(
        doc: UInt32, mask: UInt64, score: Double, probes: UnsafeBufferPointer<Probe>,
        remaining: UnsafeBufferPointer<Double>, threshold: Double, requiredMask: UInt64, optionalMask: UInt64
    ) -> Double? {
        var mask = mask
        var score = score
        if score + remaining[0] < threshold { return nil }
        for i in 0..<probes.count {
            let probe = probes[i]
            var pruned = false
            probe.reference._withUnsafeGuaranteedRef { cursor in
                if cursor.isScored && score + remaining[i] < threshold {
                    pruned = true
                    return
                }
                cursor.advance(to: doc)
                if cursor.doc == doc {
                    mask |= probe.bit
                    if cursor.isScored { score += cursor.score() }
                }
            }
            if pruned || (probe.closesClause && mask & probe.bit == 0) { return nil }
        }
        guard mask & requiredMask == requiredMask, optionalMask == 0 || mask & optionalMask != 0 else { return nil }
        return score
    }
}
