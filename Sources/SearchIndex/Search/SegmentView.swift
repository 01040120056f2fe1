/// A segment as one search sees it: immutable bytes plus the tombstones published with it, and live statistics.
struct SegmentView: Sendable {
    let reader: SegmentReader
    let deletes: Bitset?
    let deletedDocs: [Int]
    let liveCount: Int
    let liveNameLength: UInt64
    let liveTextLength: UInt64

    init(reader: SegmentReader, deletes: Bitset?) {
        self.reader = reader
        let deleted = deletes?.indices ?? []
        self.deletes = deleted.isEmpty ? nil : deletes
        deletedDocs = deleted
        liveCount = reader.docCount - deleted.count
        var name = reader.totalNameLength, text = reader.totalTextLength
        for doc in deleted {
            name -= UInt64(reader.nameLength(doc))
            text -= UInt64(reader.textLength(doc))
        }
        liveNameLength = name
        liveTextLength = text
    }

    /// How many documents with this term are live: df minus the tombstoned postings.
    func liveDF(_ info: TermInfo) -> Int {
        guard let deletes, !deletedDocs.isEmpty else { return info.df }
        let cursor = PostingCursor(segment: reader, info: info, field: nil, weight: nil)
        var dead = 0
        if deletedDocs.count * 8 < info.df {
            for doc in deletedDocs {
                cursor.advance(to: UInt32(doc))
                if cursor.doc == DocCursor.exhausted { break }
                if cursor.doc == UInt32(doc) { dead += 1 }
            }
        } else {
            while cursor.doc != DocCursor.exhausted {
                if deletes.contains(Int(cursor.doc)) { dead += 1 }
                cursor.next()
            }
        }
        return info.df - dead
    }
}
