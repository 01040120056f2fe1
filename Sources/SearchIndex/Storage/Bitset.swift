/// A fixed-size bitset: tombstones of a segment, and the visible-document set in tests.
struct Bitset: Sendable, Equatable {
    private(set) var words: [UInt64]
    let count: Int
    private(set) var setCount: Int = 0

    init(count: Int) {
        self.count = count
        self.words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    init(count: Int, words: [UInt64]) {
        self.count = count
        self.words = words
        self.setCount = words.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    @inline(__always)
    func contains(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    /// Sets a bit; returns false when it was already set.
    @discardableResult
    mutating func insert(_ index: Int) -> Bool {
        let mask: UInt64 = 1 << UInt64(index & 63)
        if words[index >> 6] & mask != 0 { return false }
        words[index >> 6] |= mask
        setCount += 1
        return true
    }

    /// The set bits in increasing order.
    var indices: [Int] {
        var result: [Int] = []
        result.reserveCapacity(setCount)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(w << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return result
    }
}
