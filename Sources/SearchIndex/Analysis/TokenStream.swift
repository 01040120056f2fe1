/// Analyzed tokens of one field value: folded UTF-8 bytes back to back, with the end offset of each token.
///
/// One reusable buffer per field instead of a `String` per token keeps indexing allocation-free in steady state.
struct TokenStream {
    var bytes: [UInt8] = []
    var ends: [Int] = []

    var count: Int { ends.count }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    func token(_ index: Int) -> [UInt8] {
        Array(bytes[range(index)])
    }
}
