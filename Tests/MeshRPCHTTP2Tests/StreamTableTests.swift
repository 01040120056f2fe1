import NIOCore
import Testing

@testable import MeshRPCHTTP2

@Suite struct StreamTableTests {
    /// Random inserts, replacements and removals of ids that collide (a small table, ids far apart and adjacent),
    /// checked against a Dictionary doing the same: the touched id after every step, everything every 499 steps.
    /// Mismatches are collected and expected once, since a million `#expect`s in a debug build kept a core busy
    /// for seconds, starving the deadline-bound tests that run beside this one.
    @Test func agreesWithADictionaryThroughGrowthAndRemovals() {
        // A fixed linear congruential sequence, so a failure reproduces.
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for idSpace in [40, 400, 1 << 30] {
            var table = StreamTable<Int>()
            var model: [Int32: Int] = [:]
            var firstMismatch: Int?
            for step in 0..<20_000 {
                let id = Int32(next() % UInt64(idSpace)) * 2 + 1
                var agrees = true
                if next() % 3 == 0 {
                    agrees = table.removeValue(for: id) == model.removeValue(forKey: id)
                } else {
                    table[id] = step
                    model[id] = step
                }
                agrees = agrees && table[id] == model[id]
                if step % 499 == 0 {
                    agrees = agrees && table.count == model.count && model.allSatisfy { table[$0.key] == $0.value }
                        && table.allValues.sorted() == model.values.sorted()
                }
                if !agrees && firstMismatch == nil { firstMismatch = step }
            }
            #expect(firstMismatch == nil, "ids below \(idSpace * 2): the table first differed at step \(firstMismatch ?? -1)")
            #expect(table.count == model.count && model.allSatisfy { table[$0.key] == $0.value })
            table.removeAll()
            #expect(table.isEmpty && table.allValues.isEmpty)
            #expect(model.keys.allSatisfy { table[$0] == nil })
        }
    }

    /// A live window of consecutive client stream ids, as a busy connection has: each removal shifts later entries
    /// of its probe run back, and every remaining id is still found.
    @Test func slidingWindowOfConsecutiveIDs() {
        var table = StreamTable<Int32>()
        for id in stride(from: Int32(1), to: 20_001, by: 2) {
            table[id] = id
            if id > 200 { #expect(table.removeValue(for: id - 200) == id - 200) }
            #expect(table.count == min(Int(id + 1) / 2, 100))
        }
        for id in stride(from: Int32(19_801), to: 20_001, by: 2) { #expect(table[id] == id) }
        #expect(table[19_799] == nil)
    }

    @Test func updatesInPlace() {
        var table = StreamTable<[Int]>()
        table[3] = [1]
        #expect(table.update(3) { $0.append(2); return $0.count } == 2)
        #expect(table.update(5) { $0.append(9) } == nil)
        let slot = table.index(of: 3)!
        table.update(at: slot) { $0.removeFirst() }
        #expect(table[3] == [2])
    }
}

@Suite struct BufferQueueTests {
    @Test func takesFrameSizedSlicesInOrderAcrossBuffers() {
        var queue = BufferQueue()
        #expect(queue.take(upTo: 10) == nil)
        queue.append(ByteBuffer(string: "abcdef"))
        queue.append(ByteBuffer(string: "gh"))
        var taken: [String] = []
        while let part = queue.take(upTo: 4) { taken.append(String(buffer: part)) }
        // A slice never spans two buffers.
        #expect(taken == ["abcd", "ef", "gh"])
        queue.append(ByteBuffer(string: "again"))
        #expect(queue.take(upTo: 100).map { String(buffer: $0) } == "again")
        #expect(queue.take(upTo: 1) == nil)
    }
}
