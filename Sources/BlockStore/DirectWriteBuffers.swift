import Glibc
import Synchronization

/// Page-aligned staging buffers of a block's size, which `O_DIRECT` writes need (a Swift array's bytes are not
/// aligned). A writer takes one and gives it back; a few are kept, so that writers reuse memory instead of
/// faulting in fresh pages for every block.
final class DirectWriteBuffers: Sendable {
    /// Alignment of a direct write's buffer, file offset and length: the page size, a multiple of any device's
    /// logical block size.
    static let alignment = 4096

    /// A buffer owned by one writer between `take` and `give`.
    struct Buffer: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
    }

    /// The file status flag itself, which Glibc's Swift module leaves out (it is a `_GNU_SOURCE` name).
    #if arch(arm64)
    static let flag: Int32 = 0o200000
    #else
    static let flag: Int32 = 0o40000
    #endif

    private let size: Int
    private let kept: Int
    private let spares = Mutex<[Buffer]>([])

    /// Buffers of `size` bytes (a multiple of `alignment`), keeping at most `kept` between writes.
    init(size: Int, kept: Int) {
        precondition(size % Self.alignment == 0)
        self.size = size
        self.kept = kept
    }

    func take() -> Buffer {
        spares.withLock { $0.popLast() }
            ?? Buffer(memory: .allocate(byteCount: size, alignment: Self.alignment))
    }

    func give(_ buffer: Buffer) {
        let keep = spares.withLock { spares in
            guard spares.count < kept else { return false }
            spares.append(buffer)
            return true
        }
        if !keep { buffer.memory.deallocate() }
    }

    deinit {
        for buffer in spares.withLock({ $0 }) { buffer.memory.deallocate() }
    }

    /// Turns direct I/O on for `fd`; false where the file system has none (tmpfs), and writes stay buffered.
    static func enable(on fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | flag) == 0
    }

    /// Turns direct I/O off again for `fd`, for a device that refused a direct write.
    static func disable(on fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags & ~flag) == 0
    }

    /// `count` rounded up to a whole number of aligned units.
    static func padded(_ count: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }
}
