import Foundation

/// Staged TUS uploads in one directory: `<id>.json` (the record, replaced atomically: write, fsync, rename,
/// fsync the directory) and `<id>.data` (the bytes, fsync'd before the record that counts them). A record is the
/// truth after a crash: data beyond its offset is cut off when the upload is next loaded.
final class TusStore: Sendable {
    let directory: String
    let expirySeconds: Int
    private let locks = KeyedLocks()

    init(directory: String, expirySeconds: Int) throws {
        self.directory = directory
        self.expirySeconds = expirySeconds
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Upload ids are 32 lower-case hex digits; anything else names nothing (and never a path).
    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    func create(owner: String, length: UInt64, metadata: String, fileName: String, contentType: String) async throws
        -> TusUpload
    {
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let now = Date().timeIntervalSince1970
        let upload = TusUpload(
            id: id, ownerID: owner, length: length, offset: 0, metadata: metadata, fileName: fileName,
            contentType: contentType, createdAt: now, expiresAt: now + Double(expirySeconds))
        let data = dataPath(id)
        try await Blocking.run {
            let file = try StagingFile.open(data, create: true)
            defer { file.close() }
            try file.sync()
        }
        try await save(upload)
        return upload
    }

    /// The upload, reconciled with its data file; nil when unknown.
    func load(_ id: String) async throws -> TusUpload? {
        guard Self.isValidID(id) else { return nil }
        let (record, data) = (recordPath(id), dataPath(id))
        return try await Blocking.run {
            guard let bytes = FileManager.default.contents(atPath: record) else { return nil }
            var upload = try JSONDecoder().decode(TusUpload.self, from: bytes)
            guard upload.fileID == nil else { return upload }
            let file = try StagingFile.open(data, create: true)
            defer { file.close() }
            let size = try file.size()
            if size > upload.offset { try file.truncate(to: upload.offset) }
            if size < upload.offset { upload.offset = size }
            return upload
        }
    }

    func save(_ upload: TusUpload) async throws {
        let (record, directory) = (recordPath(upload.id), self.directory)
        let bytes = try JSONEncoder().encode(upload)
        try await Blocking.run {
            let temporary = record + ".tmp"
            let file = try StagingFile.open(temporary, create: true)
            defer { file.close() }
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try file.sync()
            guard rename(temporary, record) == 0 else { throw StagingError("rename \(temporary)", errno) }
            let folder = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if folder >= 0 {
                _ = fsync(folder)
                _ = Glibc.close(folder)
            }
        }
    }

    /// Frees an upload's data; the record stays (until it expires) when the upload became a file, so HEAD can
    /// still name the file.
    func releaseData(_ id: String) async {
        let data = dataPath(id)
        _ = try? await Blocking.run { unlink(data) }
    }

    func remove(_ id: String) async {
        let (record, data) = (recordPath(id), dataPath(id))
        _ = try? await Blocking.run {
            unlink(data)
            unlink(record)
        }
    }

    /// Removes every upload past its expiry; returns how many.
    func sweep(now: Date = Date()) async -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasSuffix(".json") {
            let id = String(name.dropLast(".json".count))
            guard Self.isValidID(id) else { continue }
            await withLock(id) {
                guard let upload = try? await load(id), upload.expiresAt <= now.timeIntervalSince1970 else { return }
                await remove(id)
                removed += 1
            }
        }
        return removed
    }

    /// Runs `body` while no other request works on upload `id` (PATCHes of one upload are serialised).
    func withLock<T: Sendable>(_ id: String, _ body: () async throws -> T) async rethrows -> T {
        await locks.acquire(id)
        do {
            let result = try await body()
            await locks.release(id)
            return result
        } catch {
            await locks.release(id)
            throw error
        }
    }

    func dataPath(_ id: String) -> String { directory + "/" + id + ".data" }
    private func recordPath(_ id: String) -> String { directory + "/" + id + ".json" }
}

/// One async mutex per key, created on demand and dropped when nobody holds or waits for it.
actor KeyedLocks {
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String) async {
        guard waiters[key] != nil else {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key]!.append($0) }
    }

    func release(_ key: String) {
        guard var queue = waiters[key], !queue.isEmpty else {
            waiters[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiters[key] = queue
        next.resume()
    }
}
