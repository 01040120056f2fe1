/// Per-connection state keyed by HTTP/2 stream id, for the lookups every frame makes.
///
/// A `Dictionary` hashes each `Int32` key with SipHash: about 2% of a unary call's CPU over the dozen lookups a call
/// makes. Stream ids are distinct and mostly consecutive (each side counts up by two), so half an id picks its slot in
/// an open-addressed table with linear probing, and the window of live ids rarely collides.
struct StreamTable<Value> {
    /// 0 marks an empty slot: stream 0 is the connection itself, never a stream.
    private var ids: [Int32]
    private var values: [Value?]
    private(set) var count = 0

    init() {
        ids = Array(repeating: 0, count: 16)
        values = Array(repeating: nil, count: 16)
    }

    var isEmpty: Bool { count == 0 }

    /// The live values, in no particular order.
    var allValues: [Value] { values.compactMap { $0 } }

    private var mask: Int { ids.count - 1 }

    private func home(_ id: Int32) -> Int { Int(UInt32(bitPattern: id) >> 1) & mask }

    /// The slot holding `id`, if it is in the table.
    func index(of id: Int32) -> Int? {
        precondition(id != 0, "stream 0 is the connection")
        var slot = home(id)
        while true {
            let found = ids[slot]
            if found == id { return slot }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    subscript(id: Int32) -> Value? {
        get { index(of: id).map { values[$0]! } }
        set {
            if let newValue { insert(newValue, for: id) } else { removeValue(for: id) }
        }
    }

    /// Runs `body` on the value in `slot` in place (a copy taken out and written back would share, and so copy on
    /// write, any storage the value holds).
    mutating func update<R>(at slot: Int, _ body: (inout Value) throws -> R) rethrows -> R {
        try body(&values[slot]!)
    }

    /// Runs `body` on `id`'s value in place; nil when `id` is not in the table.
    mutating func update<R>(_ id: Int32, _ body: (inout Value) throws -> R) rethrows -> R? {
        guard let slot = index(of: id) else { return nil }
        return try update(at: slot, body)
    }

    @discardableResult
    mutating func removeValue(for id: Int32) -> Value? {
        guard var hole = index(of: id) else { return nil }
        let removed = values[hole].take()
        ids[hole] = 0
        count -= 1
        // Backward-shift deletion: pull later entries of the probe run into the hole when their home slot allows,
        // so lookups never meet a gap before their entry and no tombstones build up.
        var next = (hole + 1) & mask
        while ids[next] != 0 {
            let fromHome = (next - home(ids[next])) & mask
            if fromHome >= (next - hole) & mask {
                ids[hole] = ids[next]
                values[hole] = values[next].take()
                ids[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
        return removed
    }

    mutating func removeAll() {
        for slot in ids.indices where ids[slot] != 0 {
            ids[slot] = 0
            values[slot] = nil
        }
        count = 0
    }

    private mutating func insert(_ value: Value, for id: Int32) {
        precondition(id != 0, "stream 0 is the connection")
        if let slot = index(of: id) {
            values[slot] = value
            return
        }
        if (count + 1) * 2 > ids.count { grow() }
        var slot = home(id)
        while ids[slot] != 0 { slot = (slot + 1) & mask }
        ids[slot] = id
        values[slot] = value
        count += 1
    }

    /// Doubles the table: at most half full, so probe runs stay short.
    private mutating func grow() {
        let oldIDs = ids
        var oldValues = values
        ids = Array(repeating: 0, count: oldIDs.count * 2)
        values = Array(repeating: nil, count: oldIDs.count * 2)
        count = 0
        for slot in oldIDs.indices where oldIDs[slot] != 0 {
            insert(oldValues[slot].take()!, for: oldIDs[slot])
        }
    }
}
