/// Documents added since the last flush, inverted in memory until `commit` or `refresh` writes them as a segment.
///
/// Indexing appends one (term, doc, position, neighbour signature) entry per token to four flat arrays, nothing
/// else; the flush groups them by term with a counting sort (stable, so doc ids stay ascending). Per-term growing
/// arrays would cost an allocation per term and a uniqueness check per token. A delete of a buffered document only
/// marks it, and the flushed segment starts with that tombstone.
struct MemoryBuffer {
    private var terms = TermHashTable()
    private var entryTerms: [UInt32] = []
    private var entryDocs: [UInt32] = []
    private var entryPositions: [UInt32] = []
    private var entrySignatures: [UInt8] = []
    private(set) var externalIDs: [String] = []
    private var created: [Int64] = []
    private var modified: [Int64] = []
    private var nameLengths: [UInt32] = []
    private var textLengths: [UInt32] = []
    private var ids = IDTable()
    private(set) var deleted: Set<UInt32> = []
    private var stream = TokenStream()
    private var key: [UInt8] = []
    /// The term ids of the field being added, in order, for their neighbours' signatures.
    private var fieldTerms: [UInt32] = []

    var documentCount: Int { externalIDs.count }
    /// Buffered postings entries, a proxy for the buffer's memory (13 bytes each plus terms and documents).
    var entryCount: Int { entryTerms.count }
    var isEmpty: Bool { externalIDs.isEmpty }

    mutating func add(_ document: IndexDocument, configuration: IndexConfiguration) {
        let doc = UInt32(externalIDs.count)
        let idHash = IDTable.hash(document.id)
        if let old = ids.find(document.id, hash: idHash, in: externalIDs) { deleted.insert(old) }
        externalIDs.append(document.id)
        ids.set(document.id, hash: idHash, doc: doc, in: externalIDs)
        created.append(document.created)
        modified.append(document.modified)

        nameLengths.append(addAnalyzed(document.name, field: .name, analyzer: configuration.nameAnalyzer, doc: doc))
        textLengths.append(addAnalyzed(document.text, field: .text, analyzer: configuration.textAnalyzer, doc: doc))
        let type = Analyzer.foldKeyword(document.type)
        if !type.isEmpty { addKeyword(type, field: .type, doc: doc) }
        addKeyword(Array(document.owner.utf8), field: .owner, doc: doc)
        addKeyword(Array(document.owner.utf8), field: .reader, doc: doc)
        for reader in document.readers { addKeyword(Array(reader.utf8), field: .reader, doc: doc) }
    }

    /// Marks the buffered document with `id` deleted; returns whether there was one.
    @discardableResult
    mutating func delete(id: String) -> Bool {
        guard let doc = ids.find(id, hash: IDTable.hash(id), in: externalIDs) else { return false }
        return deleted.insert(doc).inserted
    }

    private mutating func addAnalyzed(_ text: String, field: Field, analyzer: Analyzer, doc: UInt32) -> UInt32 {
        stream.removeAll()
        analyzer.analyze(text, into: &stream)
        fieldTerms.removeAll(keepingCapacity: true)
        for i in 0..<stream.count {
            let range = stream.range(i)
            key.removeAll(keepingCapacity: true)
            key.append(field.rawValue)
            key.append(contentsOf: stream.bytes[range])
            fieldTerms.append(UInt32(key.withUnsafeBufferPointer { terms.intern($0) }))
        }
        let count = fieldTerms.count
        for i in 0..<count {
            let previous = i > 0 ? NeighborSignature.nibble(hash: terms.hash(of: Int(fieldTerms[i - 1]))) : 0
            let next = i + 1 < count ? NeighborSignature.nibble(hash: terms.hash(of: Int(fieldTerms[i + 1]))) : 0
            record(
                term: Int(fieldTerms[i]), doc: doc, position: UInt32(i),
                signature: NeighborSignature.make(previous: previous, next: next))
        }
        return UInt32(stream.count)
    }

    private mutating func addKeyword(_ value: [UInt8], field: Field, doc: UInt32) {
        key.removeAll(keepingCapacity: true)
        key.append(field.rawValue)
        key.append(contentsOf: value)
        let term = key.withUnsafeBufferPointer { terms.intern($0) }
        record(term: term, doc: doc, position: 0, signature: 0)
    }

    @inline(__always)
    private mutating func record(term: Int, doc: UInt32, position: UInt32, signature: UInt8) {
        entryTerms.append(UInt32(term))
        entryDocs.append(doc)
        entryPositions.append(position)
        entrySignatures.append(signature)
    }

    /// The buffer as segment bytes, and the local ids of buffered documents deleted before the flush.
    func flush() -> (bytes: [UInt8], deleted: [UInt32]) {
        let termCount = terms.count
        // Counting sort of entries by term.
        var starts = [Int](repeating: 0, count: termCount + 1)
        for term in entryTerms { starts[Int(term) + 1] += 1 }
        for t in 0..<termCount { starts[t + 1] += starts[t] }
        var fill = starts
        var sortedDocs = [UInt32](repeating: 0, count: entryTerms.count)
        var sortedPositions = [UInt32](repeating: 0, count: entryTerms.count)
        var sortedSignatures = [UInt8](repeating: 0, count: entryTerms.count)
        for i in 0..<entryTerms.count {
            let t = Int(entryTerms[i])
            sortedDocs[fill[t]] = entryDocs[i]
            sortedPositions[fill[t]] = entryPositions[i]
            sortedSignatures[fill[t]] = entrySignatures[i]
            fill[t] += 1
        }
        let order = terms.sortedIDs()
        var writer = SegmentWriter(nameLengths: nameLengths, textLengths: textLengths)
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = [], signatures: [UInt8] = []
        for term in order {
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            signatures.removeAll(keepingCapacity: true)
            let key = terms.key(term)
            let hasPositions = Field(rawValue: key.first!)?.isScored ?? false
            for i in starts[term]..<starts[term + 1] {
                let doc = sortedDocs[i]
                if docs.last == doc {
                    freqs[freqs.count - 1] += 1
                } else {
                    docs.append(doc)
                    freqs.append(1)
                }
                if hasPositions {
                    positions.append(sortedPositions[i])
                    signatures.append(sortedSignatures[i])
                }
            }
            writer.addTerm(key, docs: docs, freqs: freqs, positions: positions, signatures: signatures)
        }
        let bytes = writer.finish(externalIDs: externalIDs, created: created, modified: modified)
        return (bytes, deleted.sorted())
    }
}
