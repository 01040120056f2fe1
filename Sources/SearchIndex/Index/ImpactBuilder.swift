/// Computes the impacts of a postings block (or of a whole term): its Pareto-optimal (tf, length) pairs, at most
/// `limit` of them, each an upper bound for some of the postings.
///
/// A posting's BM25 grows with tf and shrinks with field length whatever the collection statistics, so the best
/// score in a block is reached at a pair no other pair beats on both; keeping only those pairs bounds the block
/// far more tightly than (max tf, min length). Runs in one pass per block with no sorting (tf ≤ 32 is counted in
/// a table; larger tfs are rare and sorted apart), since every block of every term goes through it when indexing.
struct ImpactBuilder {
    private static let tableSize = 33
    private let limit: Int
    /// Shortest length seen per tf (1...32), `.max` when none.
    private var shortest = [UInt32](repeating: .max, count: Self.tableSize)
    private var largeTfs: [(tf: UInt32, length: UInt32)] = []
    private var frontier: [(tf: UInt32, length: UInt32)] = []
    /// The finished block's impacts, highest tf (and longest length) first.
    private(set) var impacts: [(tf: UInt32, length: UInt32)] = []

    init(limit: Int = SegmentFormat.impactsPerBlock) {
        self.limit = limit
    }

    mutating func add(tf: UInt32, length: UInt32) {
        if tf < UInt32(Self.tableSize) {
            shortest[Int(tf)] = min(shortest[Int(tf)], length)
        } else {
            largeTfs.append((tf, length))
        }
    }

    /// Computes `impacts` from the pairs added since the last call and starts a new block.
    mutating func finishBlock() {
        frontier.removeAll(keepingCapacity: true)
        var shortestSoFar = UInt32.max
        if !largeTfs.isEmpty {
            largeTfs.sort { $0.tf != $1.tf ? $0.tf > $1.tf : $0.length < $1.length }
            for pair in largeTfs where pair.length < shortestSoFar {
                frontier.append(pair)
                shortestSoFar = pair.length
            }
            largeTfs.removeAll(keepingCapacity: true)
        }
        for tf in stride(from: Self.tableSize - 1, through: 0, by: -1) where shortest[tf] != .max {
            if shortest[tf] < shortestSoFar {
                frontier.append((UInt32(tf), shortest[tf]))
                shortestSoFar = shortest[tf]
            }
            shortest[tf] = .max
        }
        impacts.removeAll(keepingCapacity: true)
        let groups = limit
        guard frontier.count > groups else {
            impacts.append(contentsOf: frontier)
            return
        }
        // Consecutive runs of the frontier merge into (the run's largest tf, its smallest length), which bounds
        // every pair of the run.
        for g in 0..<groups {
            let first = g * frontier.count / groups, last = (g + 1) * frontier.count / groups - 1
            impacts.append((frontier[first].tf, frontier[last].length))
        }
    }
}
