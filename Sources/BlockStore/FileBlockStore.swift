import CompressNIO
import Crypto
import Dispatch
import Glibc
import NIOCore
import Synchronization

/// Blocks as files under `root/blocks/ab/cd/<sha256 hex>`, written crash-safely; a block that compresses well lives
/// as `<sha256 hex>.z` (zlib) instead, and is inflated and verified on every read.
///
/// A block becomes visible only by `rename` of a complete, fsynced temp file from `root/tmp`, followed by an
/// fsync of its directory: after a crash at any instant its name either does not exist or holds every byte.
/// Leftover temp files are invisible to readers and swept when a store opens. Blocking system calls run on serial
/// queues of this store's own, never on Swift's cooperative pool or a NIO event loop: a serial queue gets a thread
/// of dispatch's overcommit pool, whereas a concurrent one shares the few threads (one per core) that also run
/// Swift's global executor on Linux, so puts waiting in fsync would stall every task, the upload's own hashing
/// among them.
///
/// Blocks are written with direct I/O where the file system has it: copying them into the page cache cost more CPU
/// than the disk's own time (buffered write + fsync ran at a fifth of direct writes' speed), and a block just
/// stored is not read again soon, so caching it only evicts pages that are.
public final class FileBlockStore: BlockStorage {
    /// The largest block accepted: FileFlow cuts files into blocks of up to 4 MiB.
    public static let maxBlockSize = 4 * 1024 * 1024
    /// Serial queues the calls take turns on: as many as an upload keeps puts in flight, so that those overlap (with
    /// each other and with reads) rather than queue.
    private static let queueCount = 6

    public let root: String
    private let queues = (0..<queueCount).map { DispatchQueue(label: "fileflow.blockstore.\($0)") }
    private let nextQueue = Atomic<UInt>(0)
    /// One per queue: no more direct writes are ever under way at once.
    private let directBuffers = DirectWriteBuffers(size: maxBlockSize, kept: queueCount)

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
        try await run { self.existingPath(of: digest) != nil }
    }

    public func compress(_ digest: BlockDigest) async throws -> Int? {
        try await run { try self.compressSync(digest) }
    }

    public func read(_ digest: BlockDigest, range: Range<Int>? = nil) async throws -> [UInt8] {
        try await run { try self.readSync(digest, range: range) }
    }

    public func remove(_ digest: BlockDigest, unlessTouchedWithin graceSeconds: Int) async throws -> Bool {
        try await run {
            let paths = [self.path(of: digest), self.compressedPath(of: digest)]
            var newest: Int?
            for path in paths {
                var info = stat()
                guard stat(path, &info) == 0 else {
                    if errno == ENOENT { continue }
                    throw Self.ioError("stat \(path)")
                }
                newest = max(newest ?? 0, Int(info.st_mtim.tv_sec))
            }
            guard let newest else { return false }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            guard Int(now.tv_sec) - newest >= graceSeconds else { return false }
            for path in paths {
                guard unlink(path) == 0 || errno == ENOENT else { throw Self.ioError("unlink \(path)") }
            }
            try Self.syncDirectory(Self.parent(of: paths[0]))
            return true
        }
    }

    /// The file a block lives in; two levels of fan-out keep directories small (65,536 leaves).
    func path(of digest: BlockDigest) -> String {
        let hex = digest.hex
        let chars = Array(hex)
        return "\(root)/blocks/\(chars[0])\(chars[1])/\(chars[2])\(chars[3])/\(hex)"
    }

    /// Where the compressed form of a block lives.
    func compressedPath(of digest: BlockDigest) -> String { path(of: digest) + ".z" }

    /// The block's file, plain or compressed, if either exists.
    private func existingPath(of digest: BlockDigest) -> String? {
        [path(of: digest), compressedPath(of: digest)].first { access($0, F_OK) == 0 }
    }

    /// Writes a block durably; exposed to tests (which kill a forked writer mid-way) through `@testable`.
    func putSync(_ bytes: [UInt8], pauseAfterChunk: (() -> Void)? = nil) throws -> BlockPutResult {
        guard bytes.count <= Self.maxBlockSize else {
            throw BlockStoreError(.tooLarge, "a block holds at most \(Self.maxBlockSize) bytes, not \(bytes.count)")
        }
        let digest = BlockDigest.of(bytes)
        let target = path(of: digest)
        for existing in [target, compressedPath(of: digest)] where access(existing, F_OK) == 0 {
            // Dedup: keep the existing bytes; refresh mtime so garbage collection leaves a block just re-used.
            if utimensat(AT_FDCWD, existing, nil, 0) == 0 { return BlockPutResult(digest: digest, size: bytes.count, written: false) }
            guard errno == ENOENT else { throw Self.ioError("utimensat \(existing)") }
            // Collected or compressed between the two calls: look again, or write it anew below.
        }
        try writeDurably(bytes, to: target, name: digest.hex, pauseAfterChunk: pauseAfterChunk)
        return BlockPutResult(digest: digest, size: bytes.count, written: true)
    }

    /// Writes `bytes` to `target` so that after a crash the name holds all of them or does not exist: a temp file
    /// written and fsynced, renamed into place, and the directory fsynced.
    private func writeDurably(_ bytes: [UInt8], to target: String, name: String, pauseAfterChunk: (() -> Void)? = nil) throws {
        let directory = Self.parent(of: target)
        try Self.makeDirectory(Self.parent(of: directory))
        try Self.makeDirectory(directory)
        let temporary = "\(root)/tmp/\(name).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.ioError("open \(temporary)") }
        do {
            let direct = try DirectWriteBuffers.enable(on: fd)
                && writeDirect(bytes, to: fd, path: temporary, pauseAfterChunk: pauseAfterChunk)
            if !direct {
                try bytes.withUnsafeBytes { try Self.writeAll($0, to: fd, path: temporary, pauseAfterChunk: pauseAfterChunk) }
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
    }

    /// Writes `bytes` to a direct-I/O `fd` from an aligned copy, zero-padded to whole pages as direct I/O needs,
    /// then cuts the file back to their length. Returns false, with direct I/O off again and the file empty, when
    /// the device refuses the write (EINVAL: it needs a larger alignment, or the file system accepted the flag but
    /// cannot honour it): the caller then writes buffered.
    private func writeDirect(_ bytes: [UInt8], to fd: Int32, path: String, pauseAfterChunk: (() -> Void)?) throws
        -> Bool
    {
        let staging = directBuffers.take()
        defer { directBuffers.give(staging) }
        let padded = DirectWriteBuffers.padded(bytes.count)
        bytes.withUnsafeBytes { staging.memory.copyMemory(from: $0) }
        staging.memory.baseAddress!.advanced(by: bytes.count).initializeMemory(
            as: UInt8.self, repeating: 0, count: padded - bytes.count)
        let written = try Self.writeAll(
            UnsafeRawBufferPointer(rebasing: staging.memory[..<padded]), to: fd, path: path,
            pauseAfterChunk: pauseAfterChunk, unlessRefusedWith: EINVAL)
        guard written else {
            guard DirectWriteBuffers.disable(on: fd), ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                throw Self.ioError("turning direct I/O off for \(path)")
            }
            return false
        }
        guard padded == bytes.count || ftruncate(fd, off_t(bytes.count)) == 0 else {
            throw Self.ioError("ftruncate \(path)")
        }
        return true
    }

    /// Writes all of `raw`; in 64 KiB pieces with a pause after each when a test asks for one. Returns false when
    /// a write fails with `refusal` (nothing is thrown then), true once everything is written.
    @discardableResult
    private static func writeAll(
        _ raw: UnsafeRawBufferPointer, to fd: Int32, path: String, pauseAfterChunk: (() -> Void)?,
        unlessRefusedWith refusal: Int32? = nil
    ) throws -> Bool {
        var offset = 0
        while offset < raw.count {
            let chunk = min(raw.count - offset, pauseAfterChunk == nil ? raw.count : 64 * 1024)
            let written = Glibc.write(fd, raw.baseAddress! + offset, chunk)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == refusal { return false }
                throw ioError("write \(path)")
            }
            offset += written
            pauseAfterChunk?()
        }
        return true
    }

    private func readSync(_ digest: BlockDigest, range: Range<Int>?) throws -> [UInt8] {
        let bytes: [UInt8]
        if let plain = try readFile(path(of: digest)) {
            bytes = plain
        } else if let compressed = try readFile(compressedPath(of: digest)) {
            // Compression writes the `.z` file before it removes the plain one, so one of the two is always there.
            bytes = try Self.inflate(compressed, digest: digest)
        } else {
            throw BlockStoreError(.notFound, "no block \(digest.hex)")
        }
        guard BlockDigest.of(bytes) == digest else {
            throw BlockStoreError(.corrupt, "block \(digest.hex) does not match its SHA-256 on disk")
        }
        guard let range else { return bytes }
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw BlockStoreError(.invalidRange, "range \(range) is outside block \(digest.hex) of \(bytes.count) bytes")
        }
        return Array(bytes[range])
    }

    /// A whole file of at most a block's size; nil when it does not exist.
    private func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.ioError("open \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.ioError("fstat \(path)") }
        let size = Int(info.st_size)
        guard size <= Self.maxBlockSize else { throw BlockStoreError(.corrupt, "\(path) is \(size) bytes on disk") }
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
        guard got == size else { throw BlockStoreError(.corrupt, "\(path) shrank while it was read") }
        return bytes
    }

    /// Replaces a plain block by its zlib form when that is at most 90% of its size; idempotent.
    private func compressSync(_ digest: BlockDigest) throws -> Int? {
        let target = compressedPath(of: digest)
        var info = stat()
        if stat(target, &info) == 0 { return Int(info.st_size) }
        guard let plain = try readFile(path(of: digest)) else {
            throw BlockStoreError(.notFound, "no block \(digest.hex)")
        }
        guard BlockDigest.of(plain) == digest else {
            throw BlockStoreError(.corrupt, "block \(digest.hex) does not match its SHA-256 on disk")
        }
        var input = ByteBuffer(bytes: plain)
        // An output buffer of 90% of the input: running out of room means compressing does not pay.
        var output = ByteBuffer()
        output.reserveCapacity(plain.count * 9 / 10)
        do {
            try input.compress(to: &output, with: .zlib())
        } catch let error as CompressNIOError where error == .bufferOverflow {
            return nil
        }
        guard output.readableBytes * 10 <= plain.count * 9 else { return nil }
        try writeDurably(Array(output.readableBytesView), to: target, name: digest.hex + ".z")
        guard unlink(path(of: digest)) == 0 || errno == ENOENT else { throw Self.ioError("unlink \(path(of: digest))") }
        try Self.syncDirectory(Self.parent(of: target))
        return output.readableBytes
    }

    private static func inflate(_ compressed: [UInt8], digest: BlockDigest) throws -> [UInt8] {
        var input = ByteBuffer(bytes: compressed)
        var output = ByteBuffer()
        output.reserveCapacity(maxBlockSize)
        do {
            try input.decompress(to: &output, with: .zlib())
        } catch {
            throw BlockStoreError(.corrupt, "compressed block \(digest.hex) does not inflate: \(error)")
        }
        return Array(output.readableBytesView)
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let turn = nextQueue.wrappingAdd(1, ordering: .relaxed).oldValue
            queues[Int(turn % UInt(queues.count))].async { continuation.resume(with: Result { try body() }) }
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
