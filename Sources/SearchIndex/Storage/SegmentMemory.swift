#if canImport(Glibc)
internal import Glibc
#endif

/// Memory holding an open segment's bytes. A large segment is mapped anonymously and the kernel asked to back it
/// with 2 MiB pages (transparent huge pages, usually left to `madvise`): queries read a segment at scattered places,
/// and with 4 KiB pages nearly every such read of a 100 MB segment also missed the TLB.
struct SegmentMemory {
    let bytes: UnsafeMutableRawBufferPointer
    /// The whole mapping (aligned inside it to a huge page), or nil when `bytes` came from the allocator.
    private let mapping: UnsafeMutableRawBufferPointer?

    static let hugePage = 2 << 20
    /// Below this a segment takes ordinary memory: rounding it up to huge pages would waste more than it saves.
    static let hugePageMinimum = 4 << 20

    init(byteCount: Int) {
        #if canImport(Glibc)
        if byteCount >= Self.hugePageMinimum {
            let length = (byteCount + 2 * Self.hugePage - 1) / Self.hugePage * Self.hugePage
            let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            if let start, start != MAP_FAILED {
                let aligned = (Int(bitPattern: start) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
                let alignedStart = UnsafeMutableRawPointer(bitPattern: aligned)!
                _ = madvise(alignedStart, length - (aligned - Int(bitPattern: start)), MADV_HUGEPAGE)
                mapping = UnsafeMutableRawBufferPointer(start: start, count: length)
                bytes = UnsafeMutableRawBufferPointer(start: alignedStart, count: byteCount)
                return
            }
        }
        #endif
        mapping = nil
        bytes = .allocate(byteCount: byteCount, alignment: 16)
    }

    func deallocate() {
        #if canImport(Glibc)
        if let mapping {
            munmap(mapping.baseAddress, mapping.count)
            return
        }
        #endif
        bytes.deallocate()
    }
}
