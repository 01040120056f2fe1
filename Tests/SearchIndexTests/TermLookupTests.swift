import Testing
@testable import SearchIndex

/// Exact term lookup through the segment's hash slots and an in-place scan of one dictionary block: every term is
/// found with its own entry, and no near miss (a prefix, an extension, a neighbour) is.
@Suite("Term dictionary lookup")
struct TermLookupTests {
    /// Terms sharing long prefixes (so prefix compression and the in-place comparison are exercised), of every
    /// length from 1 byte, in both fields, with df = the term's rank + 1 so a wrong entry shows.
    static func keys(count: Int) -> [[UInt8]] {
        var random = SeededRandom(seed: 7)
        var keys = Set<[UInt8]>()
        func letters(_ count: ClosedRange<Int>, from alphabet: ClosedRange<UInt8>) -> [UInt8] {
            (0..<Int.random(in: count, using: &random)).map { _ in UInt8.random(in: alphabet, using: &random) }
        }
        let stems = (0..<40).map { _ in letters(1...6, from: 97...100) }
        while keys.count < count {
            let stem = stems[Int.random(in: 0..<stems.count, using: &random)]
            let tail = letters(0...5, from: 97...122)
            let field = Bool.random(using: &random) ? Field.name : Field.text
            keys.insert([field.rawValue] + stem + tail)
        }
        return keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test("every term is found with its entry, near misses are not", arguments: [1, 31, 32, 33, 5000])
    func lookup(termCount: Int) throws {
        let keys = Self.keys(count: termCount)
        let docCount = termCount + 1
        let lengths = [UInt32](repeating: 3, count: docCount)
        var writer = SegmentWriter(nameLengths: lengths, textLengths: lengths)
        for (rank, key) in keys.enumerated() {
            let docs = (0...UInt32(rank % 50)).map { $0 }
            writer.addTerm(
                key, docs: docs, freqs: docs.map { _ in 1 }, positions: docs.map { _ in 0 },
                signatures: docs.map { _ in 0 })
        }
        let ids = (0..<docCount).map { "d\($0)" }
        let zeros = [Int64](repeating: 0, count: docCount)
        let reader = try SegmentReader(
            bytes: writer.finish(externalIDs: ids, created: zeros, modified: zeros), name: "test")
        let present = Set(keys)
        var offsets = Set<Int>()
        for (rank, key) in keys.enumerated() {
            let info = try #require(reader.lookup(key), "\(key)")
            #expect(info.df == rank % 50 + 1)
            offsets.insert(info.postingsOffset)
            for miss in [Array(key.dropLast()), key + [0], key + [255], Array(key.dropLast()) + [key.last! &+ 1]]
            where !present.contains(miss) {
                #expect(reader.lookup(miss) == nil, "\(miss)")
            }
        }
        #expect(offsets.count == keys.count, "each term has its own postings")
        #expect(reader.lookup([]) == nil)
        #expect(reader.lookup([UInt8](repeating: 0xFF, count: 300)) == nil)
    }
}

@Suite("Segment memory")
struct SegmentMemoryTests {
    @Test("a large segment's bytes start on a huge page and are all usable; a small one takes ordinary memory")
    func hugePages() {
        for (count, aligned) in [(SegmentMemory.hugePageMinimum + 12_345, true), (100_000, false)] {
            let memory = SegmentMemory(byteCount: count)
            defer { memory.deallocate() }
            #expect(memory.bytes.count == count)
            #expect((Int(bitPattern: memory.bytes.baseAddress) % SegmentMemory.hugePage == 0) == aligned)
            let pages = stride(from: 0, to: count, by: 4096)
            for offset in pages { memory.bytes[offset] = UInt8(truncatingIfNeeded: offset >> 12) }
            memory.bytes[count - 1] = 0xAB
            #expect(pages.allSatisfy { memory.bytes[$0] == UInt8(truncatingIfNeeded: $0 >> 12) })
            #expect(memory.bytes[count - 1] == 0xAB)
        }
    }
}
