/// A bounded min-heap of the best hits so far; its minimum is the score a new document must beat.
///
/// Ties on score break by document id (ascending) so results are deterministic whatever the segment layout.
struct TopK {
    struct Entry {
        var score: Double
        var segment: Int
        var doc: UInt32
    }

    let capacity: Int
    private(set) var entries: [Entry] = []
    /// Whether the id of (segment, doc) sorts before the id of the other (segment, doc).
    private let idPrecedes: (Int, UInt32, Int, UInt32) -> Bool

    init(capacity: Int, idPrecedes: @escaping (Int, UInt32, Int, UInt32) -> Bool) {
        self.capacity = capacity
        self.idPrecedes = idPrecedes
        entries.reserveCapacity(capacity)
    }

    var isFull: Bool { entries.count == capacity }

    /// The score to beat once full (ties may still enter by id, so pruning compares with `<`).
    var threshold: Double { isFull ? entries[0].score : -Double.infinity }

    /// Whether `a` ranks below `b`.
    private func worse(_ a: Entry, _ b: Entry) -> Bool {
        if a.score != b.score { return a.score < b.score }
        return idPrecedes(b.segment, b.doc, a.segment, a.doc)
    }

    mutating func offer(score: Double, segment: Int, doc: UInt32) {
        let entry = Entry(score: score, segment: segment, doc: doc)
        if entries.count < capacity {
            entries.append(entry)
            siftUp(entries.count - 1)
        } else if capacity > 0
            && (score > entries[0].score || (score == entries[0].score && worse(entries[0], entry)))
        {
            entries[0] = entry
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard worse(entries[i], entries[parent]) else { return }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < entries.count && worse(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count && worse(entries[right], entries[smallest]) { smallest = right }
            if smallest == i { return }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }

    /// The hits best first.
    func sorted() -> [Entry] {
        entries.sorted { worse($1, $0) }
    }
}
