/// Documents where a phrase's terms occur at consecutive positions of one field.
///
/// A conjunction of the terms' cursors (leapfrogging on doc ids) verified against positions; the score is the
/// sum of the terms' BM25 in that field, so a phrase ranks like its words where it actually occurs. The rarest
/// term proposes candidates, and only those where one of its occurrences has the phrase's neighbours' hashes
/// beside it (`NeighborSignature`) go on to the other terms.
final class PhraseCursor: DocCursor {
    private let terms: [PostingCursor]
    /// The terms for `find`'s leapfrog, rarest first (a frequent term placed first would decode a block at every
    /// step only to be overtaken by the rare one), unmanaged (`terms` keeps them alive): retaining each cursor at
    /// each step cost as much as the leapfrog itself.
    private let references: [Unmanaged<PostingCursor>]
    /// The terms in phrase order, unmanaged for the same reason, for `positionsMatch`.
    private let ordered: [Unmanaged<PostingCursor>]
    /// Per term, its positions at the candidate (buffers of the term cursors) and how many of them a check passed
    /// over: `positionsMatch` allocates nothing.
    private let positions: UnsafeMutablePointer<UnsafeBufferPointer<UInt32>>
    private let passed: UnsafeMutablePointer<Int>
    /// Documents before `minimumScoreEnd` whose phrase score would be below `minimumScore` are passed over without
    /// verifying positions: the search sets them per window to the heap's threshold minus what every other cursor
    /// could add there, so such documents could not be hits anyway. The score needs only the terms' frequencies.
    var minimumScore = -Double.infinity
    var minimumScoreEnd: UInt32 = 0
    /// The other scored cursors of the query, when `minimumScore` is the heap's threshold itself (the
    /// document-at-a-time search): what they could add is bounded per block of the rarest term from their block
    /// maxima, far tighter than their maxima over the segment.
    var companions: [Unmanaged<DocCursor>] = []
    /// The summed block-max bounds of the terms, and of the companions, over `boundedStart..<boundedEnd` (one block
    /// of the rarest term): while the terms' bound is below what they must reach there, the whole block is passed
    /// over without decoding the other terms.
    private var boundedStart: UInt32 = 0
    private var boundedEnd: UInt32 = 0
    private var termsBound = Double.infinity
    private var companionsBound = 0.0
    /// What the rarest term's occurrences' signatures must show, under `signatureMask`, to be worth probing the
    /// others: the hashes of the phrase's terms just before and after it.
    private let signatureMask: UInt8
    private let signatureWanted: UInt8

    /// `keys` are the terms' keys (field byte and token), in phrase order.
    init(terms: [PostingCursor], keys: [[UInt8]]) {
        precondition(terms.count == keys.count && terms.count > 1, "a phrase has a key per term")
        self.terms = terms
        let byRarity = terms.indices.sorted { terms[$0].df < terms[$1].df }
        let rarest = byRarity[0]
        references = byRarity.map { .passUnretained(terms[$0]) }
        ordered = terms.map { .passUnretained($0) }
        let previous = rarest > 0 ? NeighborSignature.nibble(key: keys[rarest - 1]) : nil
        let next = rarest + 1 < terms.count ? NeighborSignature.nibble(key: keys[rarest + 1]) : nil
        signatureMask = NeighborSignature.make(previous: previous == nil ? 0 : 0x0F, next: next == nil ? 0 : 0x0F)
        signatureWanted = NeighborSignature.make(previous: previous ?? 0, next: next ?? 0)
        positions = .allocate(capacity: terms.count)
        positions.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: terms.count)
        passed = .allocate(capacity: terms.count)
        super.init(isScored: true)
        doc = 0
        find(from: 0)
    }

    deinit {
        positions.deallocate()
        passed.deallocate()
    }

    override func advance(to target: UInt32) {
        if target <= doc { return }
        find(from: target)
    }

    private func find(from start: UInt32) {
        var target = start
        while true {
            // The rarest term chooses the candidate; its block is passed over whole while it cannot reach the
            // minimum.
            target = references[0]._withUnsafeGuaranteedRef { cursor in
                cursor.advance(to: target)
                return cursor.doc
            }
            if target == DocCursor.exhausted {
                doc = DocCursor.exhausted
                return
            }
            if target < minimumScoreEnd && minimumScore > -Double.infinity
                && bound(at: target) < minimum(at: target)
            {
                target = min(boundedEnd, minimumScoreEnd)
                continue
            }
            if !neighborsMayMatch() {
                target += 1
                continue
            }
            var aligned = true
            for i in 1..<references.count {
                let next = references[i]._withUnsafeGuaranteedRef { cursor in
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
                if (target >= minimumScoreEnd || score() >= minimum(at: target)) && positionsMatch() {
                    doc = target
                    return
                }
                target += 1
            }
        }
    }

    /// Whether an occurrence of the rarest term at its current doc has the phrase's neighbours' signature.
    @inline(__always)
    private func neighborsMayMatch() -> Bool {
        references[0]._withUnsafeGuaranteedRef { cursor in
            _ = cursor.decodePositions()
            let mask = signatureMask, wanted = signatureWanted
            for signature in cursor.decodedSignatures where signature & mask == wanted { return true }
            return false
        }
    }

    /// An upper bound of the phrase's score at `target` (the rarest term's current doc): the terms' block maxima
    /// over the rarest term's block holding it, computed once per block.
    private func bound(at target: UInt32) -> Double {
        if target < boundedStart || target >= boundedEnd {
            boundedStart = target
            boundedEnd = references[0]._withUnsafeGuaranteedRef { $0.currentBlockEnd }
            var sum = 0.0
            for reference in references {
                sum += reference._withUnsafeGuaranteedRef { $0.upperBound(from: boundedStart, to: boundedEnd) }
            }
            termsBound = sum
            sum = 0
            for companion in companions {
                sum += companion._withUnsafeGuaranteedRef { $0.upperBound(from: boundedStart, to: boundedEnd) }
            }
            companionsBound = sum
        }
        return termsBound
    }

    /// The score the phrase must reach at `target` (inside the bounded block) for the document to be a hit.
    @inline(__always)
    private func minimum(at target: UInt32) -> Double {
        guard !companions.isEmpty else { return minimumScore }
        _ = bound(at: target)
        // Less than a rounding error of slack, so a tie with the threshold is never lost.
        return minimumScore - companionsBound - 1e-9 * (abs(minimumScore) + companionsBound)
    }

    /// Whether term i occurs at p + i for some position p of the first term: one merge-like pass over the sorted
    /// positions, each term's read from where the previous start left it.
    private func positionsMatch() -> Bool {
        let count = ordered.count
        for i in 0..<count {
            positions[i] = ordered[i]._withUnsafeGuaranteedRef { $0.decodePositions() }
            passed[i] = 0
        }
        outer: for start in positions[0] {
            for i in 1..<count {
                let wanted = start &+ UInt32(i)
                let list = positions[i]
                var j = passed[i]
                while j < list.count && list[j] < wanted { j += 1 }
                passed[i] = j
                if j == list.count { return false }
                if list[j] != wanted { continue outer }
            }
            return true
        }
        return false
    }

    override func score() -> Double {
        var total = 0.0
        for term in ordered { total += term._withUnsafeGuaranteedRef { $0.score() } }
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
