/// The benchmark's messages as plain values, so both libraries build exactly the same logical message.
///
/// Every value is deterministic (a fixed seed), so encodings are the same from run to run and between the libraries.
struct FileFixture {
    var fileID: String
    var ownerID: String
    var ownerUsername: String
    var name: String
    var contentType: String
    var size: UInt64
    var sha256: [UInt8]
    var version: UInt32
    /// The current version's blocks: uncompressed size and offset (block hashes left out to keep (a) near 200 bytes).
    var blocks: [(size: UInt32, offset: UInt64)]
    var versionCreatedSeconds: Int64
    var detectedType: String
    var createdSeconds: Int64
    var createdNanos: Int32
    var updatedSeconds: Int64
    /// One label only: swift-protobuf writes map entries in `Dictionary` order, ours sorted by key, so more than
    /// one entry would make "byte-identical" depend on hash seeding rather than on the codecs.
    var label: (key: String, value: String)

    /// Case (a): a typical file as `GetFile` returns it.
    static let typical = FileFixture(index: 0, name: "report-2026-q3.pdf", contentType: "application/pdf")

    /// One of the 1,000 files of case (d): same shape as (a), varied contents.
    static func listEntry(_ index: Int) -> FileFixture {
        let kinds = [
            ("photo-\(index).jpg", "image/jpeg"), ("notes-\(index).txt", "text/plain"),
            ("scan-\(index).pdf", "application/pdf"), ("backup-\(index).tar.gz", "application/gzip"),
        ]
        let (name, contentType) = kinds[index % kinds.count]
        return FileFixture(index: index + 1, name: name, contentType: contentType)
    }

    private init(index: Int, name: String, contentType: String) {
        var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 17)
        fileID = random.uuid()
        ownerID = random.uuid()
        ownerUsername = ["alice", "bob", "carol", "dave"][index % 4]
        self.name = name
        self.contentType = contentType
        let size = 1_000 + random.next() % 9_000_000
        self.size = size
        sha256 = random.bytes(32)
        version = UInt32(1 + index % 3)
        let blockSize: UInt64 = 4 << 20
        blocks = stride(from: 0, to: size, by: Int(blockSize)).map { offset in
            (size: UInt32(min(blockSize, size - offset)), offset: offset)
        }
        versionCreatedSeconds = 1_790_000_000 + Int64(index) * 61
        detectedType = String(contentType.split(separator: "/").last ?? "bin")
        createdSeconds = 1_789_000_000 + Int64(index) * 59
        createdNanos = Int32(random.next() % 1_000_000_000)
        updatedSeconds = versionCreatedSeconds
        label = (key: "project", value: ["apollo", "gemini", "mercury"][index % 3])
    }
}

/// Case (b): the scalar-only `TransferProgress`, every field but `finished` set.
struct ProgressFixture {
    var bytesDone: UInt64 = 734_003_200
    var bytesTotal: UInt64 = 1_073_741_824
    var blocksDone: UInt32 = 175
    var blocksTotal: UInt32 = 256
    var bytesPerSecond = 112_640_000.5
    var etaMillis: Int64 = -3_012
    var startedAtMicros: UInt64 = 1_790_000_000_123_456
    var finished = false
}

/// Case (c): a `DownloadChunk` carrying 1 MiB of content (no file header: only the first chunk has one).
struct ChunkFixture {
    var offset: UInt64 = 7 << 20
    var data: [UInt8] = {
        var random = SplitMix64(seed: 42)
        return random.bytes(1 << 20)
    }()
}

/// Case (d): a `ListFilesResponse` page of 1,000 files.
struct ListFixture {
    var files = (0..<1_000).map(FileFixture.listEntry)
    var nextPageToken = "eyJjcmVhdGVkIjoxNzg5MDAwMDAwfQ"
}

/// Lowercase hex of `bytes`, two digits per byte.
func hexDigits(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
    let digits = Array("0123456789abcdef")
    return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xF)]]) }.joined(separator: separator)
}

/// SplitMix64: a tiny seeded generator, so fixtures need no system randomness.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// A UUID-shaped string (8-4-4-4-12 lowercase hex), like the ids the metadata service hands out.
    mutating func uuid() -> String {
        let hex = hexDigits(bytes(16))
        var groups: [Substring] = []
        var rest = Substring(hex)
        for length in [8, 4, 4, 4, 12] {
            groups.append(rest.prefix(length))
            rest = rest.dropFirst(length)
        }
        return groups.joined(separator: "-")
    }
}
