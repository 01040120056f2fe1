/// Documents where a phrase's terms occur at consecutive positions of one field.
///
/// A conjunction of the terms' cursors (leapfrogging on doc ids) verified against positions; the score is the
/// sum of the terms' BM25 in that field, so a phrase ranks like its words where it actually occurs.
final class PhraseCursor: DocCursor {
    private let terms: [PostingCursor]
    private var scratch: [[UInt32]]

    init(terms: [PostingCursor]) {
        self.terms = terms
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
            for cursor in terms {
                cursor.advance(to: target)
                if cursor.doc == DocCursor.exhausted {
                    doc = DocCursor.exhausted
                    return
                }
                if cursor.doc > target {
                    target = cursor.doc
                    aligned = false
                    break
                }
            }
            if aligned {
                if positionsMatch() {
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

    override func upperBound(from: UInt32, to: UInt32) -> Double {
        terms.reduce(0) { $0 + $1.upperBound(from: from, to: to) }
    }
}
