@testable import BlockStore
import Foundation
import Glibc
import PostgresStore
import Testing

@Suite("BlockStore on a real file system")
struct BlockStoreTests {
    let root = NSTemporaryDirectory() + "blockstore-\(UUID().uuidString)"

    /// `count` bytes whose byte i is `byte(i % 256)`, built from one 256-byte period: mapping every index of
    /// megabytes took seconds in a debug build, holding a thread the deadline-bound tests beside these need.
    static func periodic(count: Int, _ byte: (Int) -> UInt8) -> [UInt8] {
        let period = (0..<256).map(byte)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count { bytes.append(contentsOf: period.prefix(count - bytes.count)) }
        return bytes
    }

    @Test("a block round-trips, is stored once, and streams any range")
    func roundTripAndDedup() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let first = try await store.put(bytes)
        #expect(first.written && first.digest == BlockDigest.of(bytes) && first.size == bytes.count)
        #expect(try await store.put(bytes).written == false)
        #expect(try await store.contains(first.digest))
        #expect(try await store.read(first.digest, range: nil) == bytes)
        #expect(try await store.read(first.digest, range: 1000..<1010) == Array(bytes[1000..<1010]))
        var streamed: [UInt8] = []
        for try await chunk in store.stream(first.digest, range: 5..<250_005, chunkSize: 65_536) {
            #expect(chunk.count <= 65_536)
            streamed += chunk
        }
        #expect(streamed == Array(bytes[5..<250_005]))
        let path = store.path(of: first.digest)
        #expect(path.hasSuffix("/\(first.digest.hex.prefix(2))/\(first.digest.hex.dropFirst(2).prefix(2))/\(first.digest.hex)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
        let empty = try await store.put([])
        #expect(try await store.read(empty.digest, range: nil) == [])
    }

    @Test("a block of any length is stored exactly: direct writes pad to whole pages and cut the file back")
    func unalignedLengths() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for count in [1, 4095, 4096, 4097, 65_537, FileBlockStore.maxBlockSize - 1, FileBlockStore.maxBlockSize] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ count) }
            let block = try await store.put(bytes)
            var info = stat()
            #expect(stat(store.path(of: block.digest), &info) == 0)
            #expect(Int(info.st_size) == count)
            #expect(try await store.read(block.digest, range: nil) == bytes)
        }
    }

    @Test("concurrent puts, sharing the store's staging buffers, each store their own bytes")
    func concurrentPuts() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let blocks = (0..<12).map { seed in
            Self.periodic(count: (1 << 20) + seed * 999) { UInt8(truncatingIfNeeded: $0 &+ seed &* 131) }
        }
        let stored = try await withThrowingTaskGroup(of: (Int, BlockPutResult).self) { group in
            for (index, bytes) in blocks.enumerated() { group.addTask { (index, try await store.put(bytes)) } }
            return try await group.reduce(into: [Int: BlockPutResult]()) { $0[$1.0] = $1.1 }
        }
        for (index, bytes) in blocks.enumerated() {
            let result = try #require(stored[index])
            #expect(result.written && result.digest == BlockDigest.of(bytes))
            #expect(try await store.read(result.digest, range: nil) == bytes)
        }
    }

    @Test("bad input answers with typed errors")
    func badInput() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: BlockStoreError.self) { try BlockDigest(hex: "../../etc/passwd") }
        #expect(throws: BlockStoreError.self) { try BlockDigest(bytes: [1, 2, 3]) }
        let missing = await #expect(throws: BlockStoreError.self) {
            _ = try await store.read(try BlockDigest(bytes: Array(repeating: 0xAB, count: 32)), range: nil)
        }
        #expect(missing?.code == .notFound)
        let tooLarge = await #expect(throws: BlockStoreError.self) {
            _ = try await store.put([UInt8](repeating: 0, count: FileBlockStore.maxBlockSize + 1))
        }
        #expect(tooLarge?.code == .tooLarge)
        let block = try await store.put([1, 2, 3])
        let range = await #expect(throws: BlockStoreError.self) { _ = try await store.read(block.digest, range: 2..<9) }
        #expect(range?.code == .invalidRange)
    }

    @Test("a flipped byte on disk is detected on read and when streaming")
    func corruptionDetected() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let block = try await store.put(Array(repeating: 0x41, count: 100_000))
        let fd = open(store.path(of: block.digest), O_WRONLY)
        var flipped: UInt8 = 0x40
        #expect(pwrite(fd, &flipped, 1, 54_321) == 1)
        close(fd)
        let error = await #expect(throws: BlockStoreError.self) { _ = try await store.read(block.digest, range: 0..<10) }
        #expect(error?.code == .corrupt)
        var received = 0
        await #expect(throws: BlockStoreError.self) {
            for try await chunk in store.stream(block.digest) { received += chunk.count }
        }
        #expect(received == 0)
    }

    @Test("a compressible block is stored compressed, reads the same, dedups and is collected; random data is not")
    func compression() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog\n", count: 20_000).utf8)
        let block = try await store.put(text)
        let stored = try #require(try await store.compress(block.digest))
        #expect(stored * 10 <= text.count)
        #expect(try await store.compress(block.digest) == stored)  // idempotent
        #expect(access(store.path(of: block.digest), F_OK) != 0 && access(store.compressedPath(of: block.digest), F_OK) == 0)
        #expect(try await store.read(block.digest, range: nil) == text)
        #expect(try await store.read(block.digest, range: 44..<88) == Array(text[44..<88]))
        #expect(try await store.contains(block.digest))
        #expect(try await store.put(text).written == false)  // dedup sees the compressed form
        let random = (0..<200_000).map { _ in UInt8.random(in: 0...255) }
        let noise = try await store.put(random)
        #expect(try await store.compress(noise.digest) == nil)
        #expect(try await store.read(noise.digest, range: nil) == random)
        // A corrupt compressed file is an error, never wrong bytes.
        let fd = open(store.compressedPath(of: block.digest), O_WRONLY)
        var junk: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(pwrite(fd, &junk, 4, 10) == 4)
        close(fd)
        let error = await #expect(throws: BlockStoreError.self) { _ = try await store.read(block.digest, range: nil) }
        #expect(error?.code == .corrupt)
        #expect(try await store.remove(block.digest, unlessTouchedWithin: 0))
        #expect(!(try await store.contains(block.digest)))
    }

    @Test("a writer killed mid-block leaves no visible partial block")
    func killedWriterLeavesNothingVisible() async throws {
        let store = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Self.periodic(count: 4 * 1024 * 1024) { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let digest = BlockDigest.of(bytes)
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        let child = fork()
        if child == 0 {
            // The child writes slowly and tells the parent once the temp file holds some bytes; it is killed there.
            close(pipeFDs[0])
            var chunks = 0
            _ = try? store.putSync(bytes) {
                chunks += 1
                if chunks == 8 { var one: UInt8 = 1; _ = write(pipeFDs[1], &one, 1) }
                usleep(20_000)
            }
            _exit(0)
        }
        close(pipeFDs[1])
        var signal: UInt8 = 0
        #expect(read(pipeFDs[0], &signal, 1) == 1)
        kill(child, SIGKILL)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        close(pipeFDs[0])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/tmp")
        #expect(leftovers.count == 1)  // the partial temp file exists, but only under tmp/
        #expect(!(try await store.contains(digest)))
        let missing = await #expect(throws: BlockStoreError.self) { _ = try await store.read(digest, range: nil) }
        #expect(missing?.code == .notFound)
        let reopened = try FileBlockStore(root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
        #expect(try await reopened.put(bytes).written)
        #expect(try await reopened.read(digest, range: nil) == bytes)
    }

    @Test("garbage collection frees only blocks Postgres no longer references",
          .enabled(if: TestEnvironment.postgresURL != nil))
    func garbageCollection() async throws {
        let blocks = try FileBlockStore(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await TestEnvironment.store()
        let owner = try await store.createUser(username: "gc-\(newUUID())", passwordHash: "h")
        let shared = try await blocks.put(Array("shared \(UUID())".utf8))
        let only = try await blocks.put(Array("only \(UUID())".utf8))
        func commit(_ digests: [BlockPutResult]) async throws -> String {
            let id = newUUID()
            var offset: Int64 = 0
            let records = digests.map { block in
                defer { offset += Int64(block.size) }
                return BlockRecord(sha256: block.digest.bytes, size: block.size, offset: offset)
            }
            _ = try await store.commitFile(NewFileVersion(
                fileID: id, ownerID: owner.userID, name: "f", contentType: "", size: offset,
                sha256: Array(repeating: 0, count: 32), blocks: records))
            return id
        }
        let a = try await commit([shared, only])
        let b = try await commit([shared])
        #expect(try await store.purge(fileID: a) == 1)
        #expect(try await store.blockReferenceCount(only.digest.bytes) == 0)
        #expect(try await store.blockReferenceCount(shared.digest.bytes) == 1)
        // A grace period of 0 s: everything unreferenced is garbage now. Other tests' blocks are not on this disk.
        let collector = BlockGarbageCollector(store: store, blocks: blocks, graceSeconds: 0)
        let deleted = try await collector.collect(limit: 100_000).map(\.digest)
        #expect(deleted.contains(only.digest) && !deleted.contains(shared.digest))
        #expect(!(try await blocks.contains(only.digest)))
        #expect(try await blocks.contains(shared.digest))
        #expect(try await store.blockReferenceCount(only.digest.bytes) == nil)
        _ = b
    }
}
