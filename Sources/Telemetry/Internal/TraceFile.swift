import Glibc

/// The JSON-lines span file (`FILEFLOW_TRACE_FILE`), appended to by the reporter thread only; written straight
/// from a batch's buffer, with no `Data` copy in between.
final class TraceFile {
    private var fd: Int32

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TelemetryError(code: .traceFileUnwritable, message: "cannot open \(path) for writing")
        }
    }

    deinit { close() }

    /// Appends whole lines; false when the file system refused them.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Makes the lines durable and closes the file (at shutdown).
    func close() {
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
        fd = -1
    }
}
