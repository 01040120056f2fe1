/// A forward-only iterator over the documents of one segment that match something, with BM25 bounds.
///
/// The search loop (`SegmentSearcher`) drives cursors by doc id: `advance(to:)` skips with the postings' skip
/// data, `upperBound(from:to:)` reads per-block maximums without decoding, and `collect` scores a window.
/// A class hierarchy rather than a protocol keeps the loop's calls cheap and its arrays homogeneous.
class DocCursor {
    static let exhausted = UInt32.max

    /// The current document, or `exhausted`.
    var doc: UInt32 = 0

    /// Whether matches add BM25 to the score (term cursors) or only filter (type, owner, ACL).
    let isScored: Bool

    init(isScored: Bool) {
        self.isScored = isScored
    }

    /// Moves to the first matching document ≥ `target` (no-op if already there).
    func advance(to target: UInt32) {}

    /// A lower bound of the first matching document ≥ `target`, for choosing where a window starts. Cursors that
    /// can bound it from skip data alone answer without decoding (and without moving); others advance.
    func firstCandidate(from target: UInt32) -> UInt32 {
        advance(to: target)
        return doc
    }

    /// Moves past the current document, possibly further: a scored cursor may pass over documents scoring below
    /// `minimum` (the document-at-a-time search passes the heap's threshold minus what every other cursor could
    /// add, so those could not be hits).
    func nextCandidate(minimum: Double) {
        advance(to: doc &+ 1)
    }

    /// The BM25 contribution at the current document.
    func score() -> Double { 0 }

    /// An upper bound of `score()` over the whole segment.
    var maxScore: Double { 0 }

    /// About how many documents the cursor visits: the search lets the cheapest clause lead and probes the rest.
    var cost: Int { 0 }

    /// An upper bound of `score()` for documents in `from..<to`, from block metadata only.
    func upperBound(from: UInt32, to: UInt32) -> Double { 0 }

    /// Adds every match in `window.base..<end` to the window under `bit`, leaving the cursor at a doc ≥ `end`.
    /// Matches scoring below `minimum` may be left out: the search passes the heap's threshold minus what all
    /// other cursors could add in the window, so such documents cannot be hits (a partial score stays below the
    /// threshold too).
    func collect(until end: UInt32, into window: ScoreWindow, bit: UInt64, minimum: Double) {
        advance(to: window.base)
        while doc < end {
            window.add(Int(doc - window.base), bit: bit, score: isScored ? score() : 0)
            advance(to: doc + 1)
        }
    }
}

/// Per-window score accumulators, reused across windows; only occupied slots are visited and cleared.
///
/// Raw buffers rather than arrays: these are written once per posting in the hottest loop, where array
/// uniqueness checks and class-property exclusivity checks would cost more than the arithmetic. Occupied slots are
/// a bitmap rather than a list, so the search visits candidates in doc order (which probing cursors need) without
/// sorting, whichever cursors filled the window.
final class ScoreWindow {
    static let size = 2048
    static let words = size / 64
    var base: UInt32 = 0
    let scores: UnsafeMutablePointer<Double>
    let masks: UnsafeMutablePointer<UInt64>
    let occupied: UnsafeMutablePointer<UInt64>

    /// Whether the buffers have been zeroed: the first `reset` does it, as most queries (a rare word and
    /// another) go one document at a time and never use the window.
    private var isCleared = false

    init() {
        scores = .allocate(capacity: Self.size)
        masks = .allocate(capacity: Self.size)
        occupied = .allocate(capacity: Self.words)
    }

    deinit {
        scores.deallocate()
        masks.deallocate()
        occupied.deallocate()
    }

    func reset(base: UInt32) {
        self.base = base
        guard isCleared else {
            scores.initialize(repeating: 0, count: Self.size)
            masks.initialize(repeating: 0, count: Self.size)
            occupied.initialize(repeating: 0, count: Self.words)
            isCleared = true
            return
        }
        for w in 0..<Self.words {
            var bits = occupied[w]
            while bits != 0 {
                let slot = w << 6 | bits.trailingZeroBitCount
                scores[slot] = 0
                masks[slot] = 0
                bits &= bits - 1
            }
            occupied[w] = 0
        }
    }

    @inline(__always)
    func add(_ slot: Int, bit: UInt64, score: Double) {
        occupied[slot >> 6] |= 1 << UInt64(slot & 63)
        masks[slot] |= bit
        scores[slot] += score
    }
}
