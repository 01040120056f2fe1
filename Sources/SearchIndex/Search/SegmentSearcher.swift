/// One query clause in one segment: the cursors whose union matches it.
struct ClauseCursors {
    var cursors: [DocCursor]
    var required: Bool
    var bit: UInt64
}

/// Finds the top documents of one segment: windowed document-at-a-time scoring with block-max pruning.
///
/// The doc-id space is walked in windows of `ScoreWindow.size`. A window starts where every required clause
/// (AND terms, filters, the ACL) has a candidate — they leapfrog with skip data, so the ACL narrows the search while
/// postings are iterated, never after top-k. For optional clauses (OR) a MaxScore split applies: the cursors whose
/// summed maxima cannot beat the heap's threshold are non-essential and never choose a window. A window whose
/// summed block-max bounds cannot beat the threshold is skipped without decoding a block. Surviving windows are
/// scored by accumulating each cursor's postings into slots, then filtered by the clause masks, tombstones and
/// dates before entering the heap.
struct SegmentSearcher {
    let view: SegmentView
    let segmentIndex: Int
    let clauses: [ClauseCursors]
    let modifiedRange: ClosedRange<Int64>
    let createdRange: ClosedRange<Int64>
    let window: ScoreWindow

    func run(into heap: inout TopK) {
        let reader = view.reader
        let maxDoc = UInt32(reader.docCount)
        let required = clauses.filter(\.required)
        let requiredMask = required.reduce(UInt64(0)) { $0 | $1.bit }
        let optional = clauses.filter { !$0.required }
        let optionalMask = optional.reduce(UInt64(0)) { $0 | $1.bit }
        let optionalCursors = optional.flatMap(\.cursors).sorted { $0.maxScore < $1.maxScore }
        let scored = clauses.flatMap(\.cursors).filter(\.isScored)
        let checkDates = modifiedRange != Int64.min...Int64.max || createdRange != Int64.min...Int64.max
        var current: UInt32 = 0

        outer: while current < maxDoc {
            var start = current
            let threshold = heap.threshold
            if !optionalCursors.isEmpty {
                var firstEssential = 0
                var sum = 0.0
                while firstEssential < optionalCursors.count
                    && sum + optionalCursors[firstEssential].maxScore < threshold
                {
                    sum += optionalCursors[firstEssential].maxScore
                    firstEssential += 1
                }
                var next = DocCursor.exhausted
                for cursor in optionalCursors[firstEssential...] {
                    cursor.advance(to: start)
                    next = min(next, cursor.doc)
                }
                if next == DocCursor.exhausted { break }
                start = next
            }
            for clause in required {
                var next = DocCursor.exhausted
                for cursor in clause.cursors {
                    cursor.advance(to: start)
                    next = min(next, cursor.doc)
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
            if heap.isFull {
                var bound = 0.0
                for cursor in scored { bound += cursor.upperBound(from: start, to: end) }
                if bound < threshold {
                    current = end
                    continue
                }
            }
            window.reset(base: start)
            for clause in clauses {
                for cursor in clause.cursors { cursor.collect(until: end, into: window, bit: clause.bit) }
            }
            for t in 0..<window.touchedCount {
                let slot = Int(window.touched[t])
                let mask = window.masks[slot]
                guard mask & requiredMask == requiredMask, optionalMask == 0 || mask & optionalMask != 0 else {
                    continue
                }
                let doc = Int(start) + slot
                if let deletes = view.deletes, deletes.contains(doc) { continue }
                if checkDates {
                    guard modifiedRange.contains(reader.modified(doc)), createdRange.contains(reader.created(doc))
                    else { continue }
                }
                heap.offer(score: window.scores[slot], segment: segmentIndex, doc: UInt32(doc))
            }
            current = end
        }
    }
}
