import Glibc
import Synchronization

/// Standard error, written one whole line at a time so lines from concurrent tasks never interleave.
public enum StandardError {
    private static let lock = Mutex(())

    @Sendable public static func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // stderr closed or full: a lost log line must not stop the process
                    }
                }
            }
        }
    }
}
