import BlockStore
import Foundation
import MetadataCache
import PostgresStore

/// Data-plane benchmarks, ours against the peer in one run (issue 4 "Speed"):
/// - metadata lookups through MetadataCache (Redis) vs straight from Postgres, 32 concurrent readers;
/// - BlockStore writing 1 GiB in 4 MiB blocks (SHA-256, fsync, rename) vs `dd conv=fsync` of the same bytes.
/// Needs FILEFLOW_POSTGRES_URL and FILEFLOW_REDIS_URL; `Tools/bench/dataplane/run.sh` starts both.

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

/// Runs `readers` tasks doing `perReader` lookups each; returns (lookups/s, p99 µs).
func measure(readers: Int, perReader: Int, _ lookup: @escaping @Sendable (Int) async throws -> Void) async throws
    -> (Double, Double)
{
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for reader in 0..<readers {
            group.addTask {
                var samples: [Double] = []
                samples.reserveCapacity(perReader)
                for i in 0..<perReader {
                    let t0 = ContinuousClock.now
                    try await lookup(reader * perReader + i)
                    let d = ContinuousClock.now - t0
                    samples.append(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6)
                }
                return samples
            }
        }
        return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(latencies.count) / seconds, percentile(latencies, 0.99))
}

func metadataBench() async throws {
    let env = ProcessInfo.processInfo.environment
    guard let pg = env["FILEFLOW_POSTGRES_URL"], let redis = env["FILEFLOW_REDIS_URL"] else {
        print("metadata: SKIPPED (FILEFLOW_POSTGRES_URL / FILEFLOW_REDIS_URL not set)")
        return
    }
    let database = PostgresDatabase(configuration: PostgresConfiguration(url: pg, maxConnections: 8))
    try await MigrationRunner(database: database).migrate()
    let store = FileFlowStore(database: database)
    let cache = try MetadataCache(redisURL: redis, store: store, connections: 16)
    let owner = try await store.createUser(username: "bench-\(newUUID())", passwordHash: "h")
    var ids: [String] = []
    for i in 0..<200 {
        let id = newUUID()
        _ = try await store.commitFile(NewFileVersion(fileID: id, ownerID: owner.userID, name: "bench-\(i)",
                                                      contentType: "text/plain", size: 0,
                                                      sha256: Array(repeating: 0, count: 32), blocks: []))
        ids.append(id)
    }
    for id in ids { _ = try await cache.file(id: id) }  // warm
    let fileIDs = ids
    // Three alternating rounds of 96,000 lookups each way (a few seconds), medians reported: short rounds on a
    // shared 2-core machine swing by 2x.
    var uncached: [(Double, Double)] = []
    var cached: [(Double, Double)] = []
    for _ in 0..<3 {
        uncached.append(try await measure(readers: 32, perReader: 3_000) { _ = try await store.file(id: fileIDs[$0 % 200]) })
        cached.append(try await measure(readers: 32, perReader: 3_000) { _ = try await cache.file(id: fileIDs[$0 % 200]) })
    }
    let median = { (rounds: [(Double, Double)]) in (rounds.map(\.0).sorted()[1], rounds.map(\.1).sorted()[1]) }
    let (uncachedQPS, uncachedP99) = median(uncached)
    let (cachedQPS, cachedP99) = median(cached)
    print(String(format: "metadata lookups, 32 readers (median of 3): postgres %.0f/s p99 %.0f µs | cached %.0f/s p99 %.0f µs | ratio %.2fx (target >= 3x)",
                 uncachedQPS, uncachedP99, cachedQPS, cachedP99, cachedQPS / uncachedQPS))
    print("  rounds, lookups/s: postgres " + uncached.map { String(format: "%.0f", $0.0) }.joined(separator: ", ")
          + " | cached " + cached.map { String(format: "%.0f", $0.0) }.joined(separator: ", "))
}

func blockStoreBench() async throws {
    let root = NSTemporaryDirectory() + "dataplane-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try FileBlockStore(root: root)
    let blockSize = 4 * 1024 * 1024
    let blocks = 256  // 1 GiB
    var seed = UInt64(0x9E37_79B9_7F4A_7C15)
    let base = (0..<blockSize / 8).flatMap { _ -> [UInt8] in
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return withUnsafeBytes(of: seed) { Array($0) }
    }
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<blocks {
            var block = base
            withUnsafeBytes(of: UInt64(i)) { block.replaceSubrange(0..<8, with: $0) }  // distinct blocks, no dedup
            let bytes = block
            if i >= 2 { try await group.next() }  // two writers: one hashes while the other waits on fsync
            group.addTask { _ = try await store.put(bytes) }
        }
        try await group.waitForAll()
    }
    let ours = ContinuousClock.now - start
    let oursSeconds = Double(ours.components.seconds) + Double(ours.components.attoseconds) / 1e18
    let ddStart = ContinuousClock.now
    let status = system("dd if=/dev/zero of=\(root)/dd.out bs=4M count=\(blocks) conv=fsync status=none")
    let dd = ContinuousClock.now - ddStart
    let ddSeconds = Double(dd.components.seconds) + Double(dd.components.attoseconds) / 1e18
    let gib = Double(blocks * blockSize) / 1e6
    print(String(format: "block store 1 GiB in 4 MiB blocks: ours %.0f MB/s | dd conv=fsync %.0f MB/s%@ | ratio %.2f (target >= 0.80)",
                 gib / oursSeconds, gib / ddSeconds, status == 0 ? "" : " (dd failed)", ddSeconds / oursSeconds))
}

try await metadataBench()
try await blockStoreBench()
