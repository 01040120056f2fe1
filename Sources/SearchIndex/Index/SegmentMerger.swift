/// Merges segments into one, dropping documents deleted as of the last commit.
///
/// Postings are merged term by term (a k-way merge of the sorted dictionaries) with doc ids remapped; nothing is
/// re-analyzed, so merging needs no stored text.
enum SegmentMerger {
    struct Result {
        var bytes: [UInt8]
        /// Per source, old local doc id → new id, or -1 for a dropped (deleted) document.
        var docMaps: [[Int32]]
    }

    static func merge(_ sources: [(reader: SegmentReader, deletes: Bitset)]) -> Result {
        var docMaps: [[Int32]] = []
        var ids: [String] = [], created: [Int64] = [], modified: [Int64] = []
        var nameLengths: [UInt32] = [], textLengths: [UInt32] = []
        for (reader, deletes) in sources {
            var map = [Int32](repeating: -1, count: reader.docCount)
            for doc in 0..<reader.docCount where !deletes.contains(doc) {
                map[doc] = Int32(ids.count)
                ids.append(reader.externalID(doc))
                created.append(reader.created(doc))
                modified.append(reader.modified(doc))
                nameLengths.append(reader.nameLength(doc))
                textLengths.append(reader.textLength(doc))
            }
            docMaps.append(map)
        }
        var termLists: [[([UInt8], TermInfo)]] = sources.map { source in
            var list: [([UInt8], TermInfo)] = []
            source.reader.allTerms { list.append(($0, $1)) }
            return list
        }
        var heads = [Int](repeating: 0, count: sources.count)
        var writer = SegmentWriter(nameLengths: nameLengths, textLengths: textLengths)
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = [], signatures: [UInt8] = []
        while true {
            var smallest: [UInt8]?
            for (s, list) in termLists.enumerated() where heads[s] < list.count {
                let key = list[heads[s]].0
                if smallest == nil || key.lexicographicallyPrecedes(smallest!) { smallest = key }
            }
            guard let key = smallest else { break }
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            signatures.removeAll(keepingCapacity: true)
            let hasPositions = Field(rawValue: key[0])?.isScored ?? false
            for s in 0..<sources.count where heads[s] < termLists[s].count && termLists[s][heads[s]].0 == key {
                let cursor = PostingCursor(
                    segment: sources[s].reader, info: termLists[s][heads[s]].1, field: nil, weight: nil)
                while cursor.doc != DocCursor.exhausted {
                    let mapped = docMaps[s][Int(cursor.doc)]
                    if mapped >= 0 {
                        docs.append(UInt32(mapped))
                        freqs.append(cursor.termFrequency)
                        if hasPositions {
                            positions.append(contentsOf: cursor.decodePositions())
                            signatures.append(contentsOf: cursor.decodedSignatures)
                        }
                    }
                    cursor.next()
                }
                heads[s] += 1
            }
            if !docs.isEmpty {
                writer.addTerm(key, docs: docs, freqs: freqs, positions: positions, signatures: signatures)
            }
        }
        termLists.removeAll()
        return Result(bytes: writer.finish(externalIDs: ids, created: created, modified: modified), docMaps: docMaps)
    }
}
