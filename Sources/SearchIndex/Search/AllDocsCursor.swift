/// Every document of a segment, for queries made only of date filters.
final class AllDocsCursor: DocCursor {
    private let count: UInt32

    init(count: Int) {
        self.count = UInt32(count)
        super.init(isScored: false)
        doc = count == 0 ? DocCursor.exhausted : 0
    }

    override var cost: Int { Int(count) }

    override func advance(to target: UInt32) {
        if target <= doc { return }
        doc = target < count ? target : DocCursor.exhausted
    }
}
