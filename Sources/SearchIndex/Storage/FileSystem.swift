#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The few POSIX file operations the index needs, with the durability steps spelled out.
///
/// Glibc rather than Foundation: the module stays dependency-free, and `fsync` of a file and of its directory are
/// explicit here, which is what makes a commit survive a crash (see `Manifest`).
enum FileSystem {
    static func createDirectory(_ path: String) throws(SearchIndexError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .io("mkdir \(path): \(errorText())")
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Writes a whole file and fsyncs it; the caller renames or references it only afterwards.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(SearchIndexError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("open \(path): \(errorText())") }
        defer { close(fd) }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, min(raw.count - written, 1 << 24))
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write \(path): \(errorText())"
                }
                written += n
            }
            return nil
        }
        if let failure { throw .io(failure) }
        guard fsync(fd) == 0 else { throw .io("fsync \(path): \(errorText())") }
    }

    /// Reads a whole file into memory.
    static func readFile(_ path: String) throws(SearchIndexError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open \(path): \(errorText())") }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0, lseek(fd, 0, SEEK_SET) == 0 else { throw .io("seek \(path): \(errorText())") }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var done = 0
        let failure: String? = bytes.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let n = read(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "read \(path): \(errorText())"
                }
                if n == 0 { return "read \(path): file shrank" }
                done += n
            }
            return nil
        }
        if let failure { throw .io(failure) }
        return bytes
    }

    /// Atomically replaces `to` with `from` and fsyncs the directory so the rename itself is durable.
    static func rename(_ from: String, to: String, directory: String) throws(SearchIndexError) {
        #if canImport(Glibc)
        let rc = Glibc.rename(from, to)
        #else
        let rc = Darwin.rename(from, to)
        #endif
        guard rc == 0 else { throw .io("rename \(from): \(errorText())") }
        try syncDirectory(directory)
    }

    static func syncDirectory(_ path: String) throws(SearchIndexError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open \(path): \(errorText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("fsync \(path): \(errorText())") }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static func listDirectory(_ path: String) throws(SearchIndexError) -> [String] {
        guard let dir = opendir(path) else { throw .io("opendir \(path): \(errorText())") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
