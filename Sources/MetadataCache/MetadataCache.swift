import PostgresStore
import Synchronization

/// Read-through Redis cache of file metadata and permission checks, in front of `FileFlowStore`.
///
/// Never stale after a write, by three rules:
/// 1. Writers call `invalidate(fileID:)` after their transaction commits (delete-after-commit). It bumps the
///    file's generation and deletes its entries in one pipeline.
/// 2. A reader fills the cache only if the generation it saw *before* reading Postgres is unchanged (a Lua
///    compare-and-set), so a slow reader cannot put back a value older than a concurrent write.
/// 3. An invalidation that cannot reach Redis (down, restarting) is kept and retried before any cache read;
///    until it is delivered every lookup goes to Postgres. So a Redis that comes back with old data (AOF)
///    is cleaned before it is read again.
/// Redis failures never fail a lookup: it is answered from Postgres and counted in `statistics.errors`.
public final class MetadataCache: Sendable {
    public let statistics = CacheStatistics()
    private let store: FileFlowStore
    private let redis: RedisClient
    private let ttlMillis: Int
    private let files = SingleFlight<FileRecord?>()
    private let permissions = SingleFlight<Int?>()
    /// File ids whose invalidation has not reached Redis yet.
    private let pending = Mutex<Set<String>>([])

    public init(redisURL: String, store: FileFlowStore, ttlSeconds: Int = 300, connections: Int = 16,
                timeoutMillis: Int = 500) throws {
        self.store = store
        self.redis = try RedisClient(url: redisURL, connections: connections, timeoutMillis: timeoutMillis)
        self.ttlMillis = ttlSeconds * 1000
    }

    /// The file's metadata, from Redis when cached, else from Postgres (then cached).
    public func file(id: String) async throws -> FileRecord? {
        let key = Self.key("file", id)
        if let generation = try await cachedLookup(fileID: id, commands: [["GET".bytes, key]]) {
            if let record = Self.fileRecord(in: generation.replies[0]) {
                statistics.hit()
                return record
            }
            return try await files.load(id) { [self] in
                // A flight that ended between our miss and this one has filled the cache: use it, not Postgres.
                if let again = try await cachedLookup(fileID: id, commands: [["GET".bytes, key]]),
                    let record = Self.fileRecord(in: again.replies[0])
                {
                    statistics.hit()
                    return record
                }
                statistics.miss()
                let record = try await store.file(id: id)
                if let record {
                    await fill(fileID: id, generation: generation.value,
                               command: ["SET".bytes, key, FileRecordCodec.encode(record)])
                }
                return record
            }
        }
        return try await store.file(id: id)
    }

    /// The user's permission on the file (3 owner, 2 write, 1 read, nil none), cached per file and user.
    public func permission(fileID: String, userID: String) async throws -> Int? {
        let key = Self.key("perm", fileID)
        let field = Array(userID.utf8)
        if let generation = try await cachedLookup(fileID: fileID, commands: [["HGET".bytes, key, field]]) {
            if let value = Self.permission(in: generation.replies[0]) {
                statistics.hit()
                return value == 0 ? nil : value
            }
            return try await permissions.load(fileID + "/" + userID) { [self] in
                if let again = try await cachedLookup(fileID: fileID, commands: [["HGET".bytes, key, field]]),
                    let value = Self.permission(in: again.replies[0])
                {
                    statistics.hit()
                    return value == 0 ? nil : value
                }
                statistics.miss()
                let permission = try await store.permission(fileID: fileID, userID: userID)
                await fill(fileID: fileID, generation: generation.value,
                           command: ["HSET".bytes, key, field, Array(String(permission ?? 0).utf8)])
                return permission
            }
        }
        return try await store.permission(fileID: fileID, userID: userID)
    }

    /// Drops everything cached about a file. Call it after the transaction that changed the file committed.
    /// Never throws: if Redis is unreachable the invalidation is kept and delivered before the next cache read.
    public func invalidate(fileID: String) async {
        await files.forget(keyOrPrefix: fileID)
        await permissions.forget(keyOrPrefix: fileID)
        pending.withLock { _ = $0.insert(fileID) }
        _ = await deliverPendingInvalidations()
    }

    /// Sends queued invalidations; `true` when none is left.
    private func deliverPendingInvalidations() async -> Bool {
        let ids = pending.withLock { $0 }
        guard !ids.isEmpty else { return true }
        var commands: [[[UInt8]]] = []
        for id in ids {
            let generation = Self.key("gen", id)
            commands.append(["INCR".bytes, generation])
            commands.append(["PEXPIRE".bytes, generation, Array(String(max(ttlMillis * 2, 86_400_000)).utf8)])
            commands.append(["DEL".bytes, Self.key("file", id), Self.key("perm", id)])
        }
        do {
            let replies = try await redis.pipeline(commands)
            guard !replies.contains(where: { if case .error = $0 { true } else { false } }) else {
                statistics.error()
                return false
            }
            pending.withLock { $0.subtract(ids) }
            return pending.withLock { $0.isEmpty }
        } catch {
            statistics.error()
            return false
        }
    }

    /// Runs `commands` together with a read of the file's generation. `nil` means "do not use the cache now"
    /// (Redis failed, or an invalidation is still undelivered); the caller then reads Postgres directly.
    private static func fileRecord(in reply: RedisReply) -> FileRecord? {
        guard case .string(let bytes) = reply else { return nil }
        return FileRecordCodec.decode(bytes)
    }

    /// The cached permission number (0 means none), or nil when nothing is cached.
    private static func permission(in reply: RedisReply) -> Int? {
        guard case .string(let bytes) = reply else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    private func cachedLookup(fileID: String, commands: [[[UInt8]]]) async throws -> (replies: [RedisReply], value: [UInt8])? {
        guard await deliverPendingInvalidations() else {
            statistics.bypass()
            return nil
        }
        do {
            let replies = try await redis.pipeline(commands + [["GET".bytes, Self.key("gen", fileID)]])
            return (Array(replies.dropLast()), replies.last?.bytes ?? [])
        } catch {
            statistics.error()
            return nil
        }
    }

    /// Caches a value unless the file's generation moved since the lookup (a write happened meanwhile).
    private func fill(fileID: String, generation: [UInt8], command: [[UInt8]]) async {
        let script = """
            if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
            if ARGV[2] == 'SET' then
                redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
            else
                redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
                redis.call('PEXPIRE', KEYS[2], ARGV[4])
            end
            return 1
            """
        let isSet = command[0] == "SET".bytes
        let arguments: [[UInt8]] = [
            "EVAL".bytes, Array(script.utf8), "2".bytes, Self.key("gen", fileID), command[1], generation, command[0],
            command[2], Array(String(ttlMillis).utf8), isSet ? [] : command[3],
        ]
        do {
            _ = try await redis.pipeline([arguments])
        } catch {
            statistics.error()
        }
    }

    private static func key(_ kind: String, _ id: String) -> [UInt8] { Array("ff:v1:\(kind):\(id)".utf8) }
}

extension String {
    /// A Redis argument: commands go out as raw bytes so keys and values are binary-safe.
    fileprivate var bytes: [UInt8] { Array(utf8) }
}

extension MetadataCache {
    /// The generation a lookup would see now (tests race a write between lookup and fill with it).
    func cachedLookupForTesting(fileID: String) async throws -> [UInt8]? {
        try await cachedLookup(fileID: fileID, commands: [["GET".bytes, Self.key("file", fileID)]])?.value
    }

    func fillForTesting(fileID: String, generation: [UInt8], record: FileRecord) async {
        await fill(fileID: fileID, generation: generation,
                   command: ["SET".bytes, Self.key("file", fileID), FileRecordCodec.encode(record)])
    }
}
