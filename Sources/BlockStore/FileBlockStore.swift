import Crypto
import Dispatch
import Glibc

/// Blocks as files under `root/blocks/ab/cd/<sha256 hex>`, written crash-safely.
///
/// A block becomes visible only by `rename` of a complete, fsynced temp file from `root/tmp`, followed by an
/// fsync of its directory: after a crash at any instant its name either does not exist or holds every byte.
/// Leftover temp files are invisible to readers and swept when a store opens. Blocking system calls run on a
/// queue of this store's own, never on Swift's cooperative pool or a NIO event loop.
public final class FileBlockStore: BlockStorage {
    /// The largest block accepted: FileFlow cuts files into blocks of up to 4 MiB.
    public static let maxBlockSize = 4 * 1024 * 1024

    public let root: String
    private let queue = DispatchQueue(label: "fileflow.blockstore", attributes: .concurrent)

    /// Opens (creating if needed) a store under `root` and removes temp files a crashed writer left behind.
    public init(root: String) throws {
        self.root = root
        for directory in [root, root + "/blocks", root + "/tmp"] { try Self.makeDirectory(directory) }
        try Self.sweepTemporaryFiles(in: root + "/tmp")
    }

    public func put(_ bytes: [UInt8]) async throws -> BlockPutResult {
        try await run { try self.putSync(bytes) }
    }

    public func contains(_ digest: BlockDigest) async throws -> Bool {
        try await run { access(self.path(of: digest), F_OK) == 0 }
    }

    public func read(_ digest: BlockDigest, range: Range<Int>? = nil) async throws -> [UInt8] {
        try await run { try self.readSync(digest, range: range) }
    }

    public func remove(_ digest: BlockDigest, unlessTouchedWithin graceSeconds: Int) async throws -> Bool {
        try await run {
            let path = self.path(of: digest)
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return false }
                throw Self.ioError("stat \(path)")
            }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            guard Int(now.tv_sec) - Int(info.st_mtim.tv_sec) >= graceSeconds else { return false }
            guard unlink(path) == 0 || errno == ENOENT else { throw Self.ioError("unlink \(path)") }
            try Self.syncDirectory(Self.parent(of: path))
            return true
        }
    }

    /// The file a block lives in; two levels of fan-out keep directories small (65,536 leaves).
    func path(of digest: BlockDigest) -> String {
        let hex = digest.hex
        let chars = Array(hex)
        return "\(root)/blocks/\(chars[0])\(chars[1])/\(chars[2])\(chars[3])/\(hex)"
    }

    /// Writes a block durably; exposed to tests (which kill a forked writer mid-way) through `@testable`.
    func putSync(_ bytes: [UInt8], pauseAfterChunk: (() -> Void)? = nil) throws -> BlockPutResult {
        guard bytes.count <= Self.maxBlockSize else {
            throw BlockStoreError(.tooLarge, "a block holds at most \(Self.maxBlockSize) bytes, not \(bytes.count)")
        }
        let digest = BlockDigest.of(bytes)
        let target = path(of: digest)
        if access(target, F_OK) == 0 {
            // Dedup: keep the existing bytes; refresh mtime so garbage collection leaves a block just re-used.
            if utimensat(AT_FDCWD, target, nil, 0) == 0 { return BlockPutResult(digest: digest, size: bytes.count, written: false) }
            guard errno == ENOENT else { throw Self.ioError("utimensat \(target)") }
            // Collected between the two calls: write it anew below.
        }
        let directory = Self.parent(of: target)
        try Self.makeDirectory(Self.parent(of: directory))
        try Self.makeDirectory(directory)
        let temporary = "\(root)/tmp/\(digest.hex).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.ioError("open \(temporary)") }
        do {
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let chunk = min(raw.count - offset, pauseAfterChunk == nil ? raw.count : 64 * 1024)
                    let written = Glibc.write(fd, raw.baseAddress! + offset, chunk)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Self.ioError("write \(temporary)")
                    }
                    offset += written
                    pauseAfterChunk?()
                }
            }
            guard fsync(fd) == 0 else { throw Self.ioError("fsync \(temporary)") }
            guard close(fd) == 0 else { throw Self.ioError("close \(temporary)") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let failure = Self.ioError("rename \(temporary)")
            unlink(temporary)
            throw failure
        }
        try Self.syncDirectory(directory)
        return BlockPutResult(digest: digest, size: bytes.count, written: true)
    }

    private func readSync(_ digest: BlockDigest, range: Range<Int>?) throws -> [UInt8] {
        let path = path(of: digest)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw BlockStoreError(.notFound, "no block \(digest.hex)") }
            throw Self.ioError("open \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.ioError("fstat \(path)") }
        let size = Int(info.st_size)
        guard size <= Self.maxBlockSize else { throw BlockStoreError(.corrupt, "block \(digest.hex) is \(size) bytes on disk") }
        var bytes = [UInt8](repeating: 0, count: size)
        let got = try bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < size {
                let n = Glibc.read(fd, raw.baseAddress! + offset, size - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.ioError("read \(path)")
                }
                if n == 0 { break }
                offset += n
            }
            return offset
        }
        guard got == size, BlockDigest.of(bytes) == digest else {
            throw BlockStoreError(.corrupt, "block \(digest.hex) does not match its SHA-256 on disk (\(path))")
        }
        guard let range else { return bytes }
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw BlockStoreError(.invalidRange, "range \(range) is outside block \(digest.hex) of \(size) bytes")
        }
        return Array(bytes[range])
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func parent(of path: String) -> String {
        String(path[..<path.lastIndex(of: "/")!])
    }

    private static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw ioError("mkdir \(path)") }
    }

    /// Makes a rename or unlink in `path` durable: without it a crash can lose the new name.
    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("fsync directory \(path)") }
    }

    private static func sweepTemporaryFiles(in directory: String) throws {
        guard let dir = opendir(directory) else { throw ioError("opendir \(directory)") }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".tmp") { unlink("\(directory)/\(name)") }
        }
    }

    private static func ioError(_ what: String) -> BlockStoreError {
        BlockStoreError(.io, "\(what): \(String(cString: strerror(errno))) (errno \(errno))")
    }
}
