/// Documents where a phrase's terms occur at consecutive positions of one field.
///
/// A conjunction of the terms' cursors (leapfrogging on doc ids) verified against positions; the score is the
/// sum of the terms' BM25 in that field, so a phrase ranks like its words where it actually occurs.
final class PhraseCursor: DocCursor {
    private let terms: [PostingCursor]
    /// The terms for `find`'s leapfrog, unmanaged (`terms` keeps them alive): retaining each cursor at each step
    /// cost as much as the leapfrog itself.
    private let references: [Unmanaged<PostingCursor>]
    private var scratch: [[UInt32]]
    /// Documents before `minimumScoreEnd` whose phrase score would be below `minimumScore` are passed over without
    /// reading positions: the search sets them per window to the heap's threshold minus what every other cursor
    /// could add there, so such documents could not be hits anyway. Verifying positions is the expensive part of
    /// a phrase; the score needs only the terms' frequencies.
    var minimumScore = -Double.infinity
    var minimumScoreEnd: UInt32 = 0

    init(terms: [PostingCursor]) {
        self.terms = terms
        references = terms.map { .passUnretained($0) }
        scratch = Array(repeating: [], count: terms.count)
        super.init(isScored: true)
        doc = 0
        find(from: 0)
    }

    override func advance(to target: UInt32) {
        if target <= doc { return }
        find(from: target)
    }

    private func find(from start: UInt32) {
        var target = start
        while true {
            var aligned = true
            for reference in references {
                let next = reference._withUnsafeGuaranteedRef { cursor in
                    cursor.advance(to: target)
                    return cursor.doc
                }
                if next == DocCursor.exhausted {
                    doc = DocCursor.exhausted
                    return
                }
                if next > target {
                    target = next
                    aligned = false
                    break
                }
            }
            if aligned {
                if (target >= minimumScoreEnd || score() >= minimumScore) && positionsMatch() {
                    doc = target
                    return
                }
                target += 1
            }
        }
    }

    private func positionsMatch() -> Bool {
        for (i, cursor) in terms.enumerated() { cursor.positions(into: &scratch[i]) }
        outer: for start in scratch[0] {
            for i in 1..<terms.count {
                if !Self.contains(scratch[i], start &+ UInt32(i)) { continue outer }
            }
            return true
        }
        return false
    }

    private static func contains(_ sorted: [UInt32], _ value: UInt32) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }

    override func score() -> Double {
        var total = 0.0
        for cursor in terms { total += cursor.score() }
        return total
    }

    override var maxScore: Double {
        terms.reduce(0) { $0 + $1.maxScore }
    }

    override var cost: Int { terms.map(\.df).min() ?? 0 }

    override func upperBound(from: UInt32, to: UInt32) -> Double {
        terms.reduce(0) { $0 + $1.upperBound(from: from, to: to) }
    }
}
