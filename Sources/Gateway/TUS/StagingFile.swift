import Foundation

/// Blocking file work (writes, fsync, renames) off the cooperative thread pool, which has one thread per core.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// A staged upload's data file, opened for one request: positional writes and reads, truncation, fsync.
struct StagingFile: Sendable {
    let path: String
    private let descriptor: Int32

    static func open(_ path: String, create: Bool = false) throws -> StagingFile {
        let descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o600)
        guard descriptor >= 0 else { throw StagingError("open \(path)", errno) }
        return StagingFile(path: path, descriptor: descriptor)
    }

    func close() { _ = Glibc.close(descriptor) }

    func write(_ bytes: some Collection<UInt8>, at offset: UInt64) throws {
        let contiguous = Array(bytes)
        var done = 0
        try contiguous.withUnsafeBytes { raw in
            while done < raw.count {
                let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                guard written > 0 else {
                    if written < 0 && errno == EINTR { continue }
                    throw StagingError("write \(path)", errno)
                }
                done += written
            }
        }
    }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < count {
                let read = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if read == 0 { break }
                guard read > 0 else {
                    if errno == EINTR { continue }
                    throw StagingError("read \(path)", errno)
                }
                done += read
            }
        }
        bytes.removeLast(count - done)
        return bytes
    }

    func truncate(to length: UInt64) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw StagingError("truncate \(path)", errno) }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw StagingError("fsync \(path)", errno) }
    }

    func size() throws -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StagingError("stat \(path)", errno) }
        return UInt64(info.st_size)
    }
}

struct StagingError: Error, CustomStringConvertible {
    let description: String

    init(_ what: String, _ code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}
