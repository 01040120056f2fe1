import Foundation
@testable import MetadataCache
import PostgresStore
import Testing

/// Tests that restart the shared Redis and Postgres servers; serialised so they never overlap each other.
@Suite("Cache and faults against live servers", .serialized,
       .enabled(if: TestEnvironment.postgresURL != nil && TestEnvironment.redisURL != nil))
struct FaultTests {
    private func fixture() async throws -> (FileFlowStore, MetadataCache, String, String) {
        let store = try await TestEnvironment.store()
        let cache = try MetadataCache(redisURL: TestEnvironment.redisURL!, store: store, ttlSeconds: 60)
        let owner = try await store.createUser(username: "cache-\(newUUID())", passwordHash: "h")
        let fileID = newUUID()
        _ = try await store.commitFile(NewFileVersion(
            fileID: fileID, ownerID: owner.userID, name: "v1", contentType: "text/plain", size: 0,
            sha256: Array(repeating: 0, count: 32), blocks: []))
        return (store, cache, owner.userID, fileID)
    }

    private func rename(_ store: FileFlowStore, _ cache: MetadataCache, _ fileID: String, _ owner: String, to name: String)
        async throws
    {
        _ = try await store.commitFile(NewFileVersion(
            fileID: fileID, ownerID: owner, name: name, contentType: "text/plain", size: 0,
            sha256: Array(repeating: 0, count: 32), blocks: []))
        await cache.invalidate(fileID: fileID)  // delete-after-commit
    }

    @Test("read-through: a miss fills, then hits; a committed write is never followed by a stale read")
    func readThrough() async throws {
        let (store, cache, owner, fileID) = try await fixture()
        #expect(try await cache.file(id: fileID)?.name == "v1")
        #expect(try await cache.file(id: fileID)?.name == "v1")
        #expect(cache.statistics.misses == 1 && cache.statistics.hits == 1)
        #expect(try await cache.permission(fileID: fileID, userID: owner) == 3)
        let stranger = newUUID()
        #expect(try await cache.permission(fileID: fileID, userID: stranger) == nil)
        #expect(try await cache.permission(fileID: fileID, userID: stranger) == nil)  // cached "none"
        #expect(cache.statistics.hits == 2)
        for round in 2...5 {
            try await rename(store, cache, fileID, owner, to: "v\(round)")
            #expect(try await cache.file(id: fileID)?.name == "v\(round)")
        }
        #expect(try await cache.file(id: newUUID()) == nil)
    }

    @Test("a fill racing a write is refused, so a slow reader cannot put back an old value")
    func staleFillRefused() async throws {
        let (store, cache, owner, fileID) = try await fixture()
        let lookup = try #require(try await cache.cachedLookupForTesting(fileID: fileID))
        let old = try #require(try await store.file(id: fileID))
        try await rename(store, cache, fileID, owner, to: "new")  // the write lands between read and fill
        await cache.fillForTesting(fileID: fileID, generation: lookup, record: old)
        #expect(try await cache.file(id: fileID)?.name == "new")
    }

    @Test("32 concurrent readers of a cold key cause one Postgres load (single-flight)")
    func singleFlight() async throws {
        let (_, cache, _, fileID) = try await fixture()
        let names = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<32 { group.addTask { try await cache.file(id: fileID)?.name } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(names == Array(repeating: "v1", count: 32))
        #expect(cache.statistics.misses == 1)
        #expect(cache.statistics.hits + cache.statistics.misses <= 32)
    }

    @Test("calls sharing one connection are pipelined together and each gets exactly its own replies")
    func concurrentCallsShareAPipeline() async throws {
        let redis = try RedisClient(url: TestEnvironment.redisURL!, connections: 1, timeoutMillis: 2_000)
        let prefix = "batch-\(newUUID())"
        let results = try await withThrowingTaskGroup(of: (Int, [RedisReply]).self) { group in
            for i in 0..<300 {
                group.addTask {
                    let key = Array("\(prefix)-\(i)".utf8)
                    // Calls of different lengths, one with an error reply, so a misaligned split would show.
                    var commands: [[[UInt8]]] = [[Array("SET".utf8), key, Array("v\(i)".utf8)], [Array("GET".utf8), key]]
                    if i.isMultiple(of: 3) { commands.append([Array("INCR".utf8), key]) }
                    commands.append([Array("DEL".utf8), key])
                    return (i, try await redis.pipeline(commands))
                }
            }
            return try await group.reduce(into: [Int: [RedisReply]]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 300)
        for (i, replies) in results {
            var expected: [RedisReply] = [.status("OK"), .string(Array("v\(i)".utf8))]
            if i.isMultiple(of: 3) { expected.append(.error("ERR value is not an integer or out of range")) }
            expected.append(.integer(1))
            #expect(replies == expected, "call \(i)")
        }
        // A dead server fails every waiting call with a typed error, and nothing hangs.
        let dead = try RedisClient(url: "redis://127.0.0.1:9", connections: 1, timeoutMillis: 500)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await #expect(throws: CacheError.self) { _ = try await dead.pipeline([[Array("PING".utf8)]]) }
                }
            }
        }
    }

    @Test("Redis down: reads fall back to Postgres; after it restarts with old data, no stale value is served")
    func redisRestart() async throws {
        let workdir = try #require(ProcessInfo.processInfo.environment["FILEFLOW_TEST_WORKDIR"])
        let url = TestEnvironment.redisURL!
        let port = url.split(separator: ":").last!
        let (store, cache, owner, fileID) = try await fixture()
        #expect(try await cache.file(id: fileID)?.name == "v1")  // cached; the AOF keeps it across the restart
        try TestEnvironment.shell("redis-cli -u \(url) config set appendfsync always >/dev/null; redis-cli -u \(url) bgrewriteaof >/dev/null; sleep 0.5")
        #expect(try TestEnvironment.shell("redis-cli -u \(url) shutdown nosave >/dev/null 2>&1; sleep 0.3") == 0)
        #expect(try await cache.file(id: fileID)?.name == "v1")  // from Postgres
        try await rename(store, cache, fileID, owner, to: "written-while-down")
        #expect(try await cache.file(id: fileID)?.name == "written-while-down")
        let dir = "\(workdir)/redis"
        #expect(try TestEnvironment.shell("""
            redis-server --bind 127.0.0.1 --port \(port) --dir \(dir) --appendonly yes --daemonize yes \
            --pidfile \(dir)/redis.pid --logfile \(dir)/redis.log --save '' >/dev/null && \
            for i in $(seq 50); do redis-cli -u \(url) ping 2>/dev/null | grep -q PONG && exit 0; sleep 0.1; done; exit 1
            """) == 0)
        #expect(try await cache.file(id: fileID)?.name == "written-while-down")
        #expect(try await cache.file(id: fileID)?.name == "written-while-down")
        #expect(cache.statistics.errors > 0 && cache.statistics.bypasses > 0)
    }

    @Test("Postgres restart mid-writes: every acknowledged write survives, failures are typed, service resumes")
    func postgresRestart() async throws {
        let workdir = try #require(ProcessInfo.processInfo.environment["FILEFLOW_TEST_WORKDIR"])
        let store = try await TestEnvironment.store(maxConnections: 4)
        let owner = try await store.createUser(username: "restart-\(newUUID())", passwordHash: "h")
        let writer = Task { () -> (acknowledged: [String], failures: [PostgresError]) in
            var acknowledged: [String] = []
            var failures: [PostgresError] = []
            for i in 0..<150 {
                let id = newUUID()
                do {
                    _ = try await store.commitFile(NewFileVersion(
                        fileID: id, ownerID: owner.userID, name: "w\(i)", contentType: "", size: 1,
                        sha256: Array(repeating: 1, count: 32), blocks: []))
                    acknowledged.append(id)
                } catch let error as PostgresError {
                    failures.append(error)
                }
            }
            return (acknowledged, failures)
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(try TestEnvironment.shell(
            """
            pg_ctl=$(ls /usr/lib/postgresql/15/bin/pg_ctl /usr/local/bin/pg_ctl /usr/lib/postgresql/*/bin/pg_ctl \
                2>/dev/null | head -1)
            runuser -u fileflow -- "$pg_ctl" -D \(workdir)/postgres restart -m fast -w >/dev/null 2>&1
            """) == 0)
        let (acknowledged, failures) = try await writer.value
        #expect(failures.allSatisfy { $0.code == .commitOutcomeUnknown || $0.code == .connectionFailed })
        #expect(acknowledged.count + failures.count == 150)
        #expect(acknowledged.count >= 140)
        for id in acknowledged { #expect(try await store.file(id: id) != nil) }
        #expect(try await store.database.query("SELECT 1").first?.int(0) == 1)
    }
}
