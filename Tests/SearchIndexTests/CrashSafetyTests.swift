import Glibc
import Testing
@testable import SearchIndex

/// Real crashes: a forked child writes, commits and merges in a loop and is killed with SIGKILL at a random point;
/// the parent reopens the directory and checks it holds exactly the state of a commit the child made.
///
/// Why fork() and SIGKILL are faithful: the child runs the production code paths (`commit`, `merge`) against the
/// real file system and dies without unwinding, flushing or closing anything, exactly as an OOM kill would; the
/// parent then opens the directory as a restarted service would. Rounds alternate between killing shortly after a
/// commit was acknowledged (the next batch's commit is in flight) and right after a merge started.
@Suite("Crash safety under SIGKILL", .serialized)
struct CrashSafetyTests {
    static let batchSize = 80
    static let commitStarting: Int32 = 1_000_000

    /// Message codes on the child's pipe: `commitStarting + batch` before a commit, the batch number after the
    /// commit returns, its negative before a merge starts.
    static func childLoop(directory: String, pipe: Int32) -> Never {
        do {
            let index = try SearchIndex(directory: directory)
            var batch = committedBatch(index.documentIDs()) + 1
            while true {
                for j in 0..<batchSize { try index.add(document(batch: batch, number: j)) }
                if batch > 2 {
                    index.delete(id: "\(batch - 2)-0")
                    index.delete(id: "\(batch - 2)-1")
                }
                send(commitStarting + Int32(batch), pipe)
                try index.commit()
                send(Int32(batch), pipe)
                if index.segmentCount > 3 {
                    send(-Int32(batch), pipe)
                    try index.merge(maxSegments: 1)
                }
                batch += 1
            }
        } catch {
            _exit(2)
        }
    }

    static func document(batch: Int, number: Int) -> IndexDocument {
        IndexDocument(
            id: "\(batch)-\(number)", name: "batch\(batch) file\(number) report.pdf",
            text: "common words for batch \(batch) number \(number) "
                + (0..<20).map { "w\(($0 * 31 + number * 7 + batch) % 5000)" }.joined(separator: " "),
            type: "pdf", owner: "u\(number % 3)",
            created: Int64(batch), modified: Int64(number))
    }

    static func send(_ value: Int32, _ pipe: Int32) {
        var v = value
        _ = withUnsafeBytes(of: &v) { write(pipe, $0.baseAddress, 4) }
    }

    /// The last batch whose never-deleted marker document is present.
    static func committedBatch(_ ids: [String]) -> Int {
        ids.filter { $0.hasSuffix("-\(batchSize - 1)") }.compactMap { Int($0.split(separator: "-")[0]) }.max() ?? 0
    }

    static func expectedIDs(afterBatch last: Int) -> Set<String> {
        var ids = Set<String>()
        for batch in stride(from: 1, through: last, by: 1) {
            for j in 0..<batchSize where !(batch <= last - 2 && j < 2) { ids.insert("\(batch)-\(j)") }
        }
        return ids
    }

    /// Forks a child running `childLoop`; returns its pid and the read end of its message pipe.
    static func spawnChild(directory: String) -> (pid_t, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (-1, -1) }
        let pid = fork()
        if pid == 0 {
            close(fds[0])
            childLoop(directory: directory, pipe: fds[1])
        }
        close(fds[1])
        return (pid, fds[0])
    }

    static func microseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// Reads 4-byte messages until one matches `want` or the pipe closes; nil on timeout (a hung child).
    static func read(_ fd: Int32, timeoutMilliseconds: Int32) -> Int32? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return nil }
        var value: Int32 = 0
        let n = withUnsafeMutableBytes(of: &value) { Glibc.read(fd, $0.baseAddress, 4) }
        return n == 4 ? value : nil
    }

    @Test("kill during commits and merges, reopen: exactly some acknowledged-or-later commit is there")
    func killAtRandomPoints() throws {
        let directory = TemporaryDirectory()
        // Warm the code paths in this process first, so the forked child finds runtime metadata already
        // instantiated and takes no runtime lock another test thread might have held at fork time.
        do {
            let warm = TemporaryDirectory()
            let index = try SearchIndex(directory: warm.path)
            for j in 0..<10 { try index.add(Self.document(batch: 1, number: j)) }
            try index.commit()
            try index.add(Self.document(batch: 2, number: 0))
            try index.commit()
            _ = try index.merge(maxSegments: 1)
            _ = try index.search(SearchRequest(query: "report", user: "u1"))
        }
        var random = SeededRandom(seed: 7)
        var lastAcknowledged = 0
        var phaseDuration: [UInt64] = [1_000, 1_000]
        for round in 0..<12 {
            let (pid, pipeFD) = Self.spawnChild(directory: directory.path)
            #expect(pid > 0)
            defer { close(pipeFD) }
            let targetMerge = round % 2 == 1
            var acknowledged = lastAcknowledged
            var waited = 0
            var hung = false
            var phaseStart = Self.microseconds()
            var inTargetPhase = false
            while true {
                guard let message = Self.read(pipeFD, timeoutMilliseconds: 20_000) else {
                    hung = true
                    break
                }
                let now = Self.microseconds()
                if inTargetPhase {
                    // Learn how long the targeted phase takes, to kill at a uniformly random point within it.
                    phaseDuration[targetMerge ? 1 : 0] = now - phaseStart
                    inTargetPhase = false
                }
                if message > 0 && message < Self.commitStarting { acknowledged = Int(message) }
                if targetMerge ? message < 0 : message > Self.commitStarting {
                    phaseStart = now
                    inTargetPhase = true
                    waited += 1
                    if waited >= Int.random(in: 2...3, using: &random) { break }
                }
            }
            let duration = max(phaseDuration[targetMerge ? 1 : 0], 100)
            usleep(UInt32(UInt64.random(in: 0...duration, using: &random)))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            while let message = Self.read(pipeFD, timeoutMilliseconds: 0) {
                if message > 0 && message < Self.commitStarting { acknowledged = Int(message) }
            }
            #expect(!hung, "round \(round): child made no progress")
            #expect(status & 0x7F == SIGKILL, "round \(round): child exited on its own with status \(status)")

            let index = try SearchIndex(directory: directory.path)
            let ids = index.documentIDs()
            let found = Self.committedBatch(ids)
            #expect(found == acknowledged || found == acknowledged + 1,
                    "round \(round): acknowledged \(acknowledged), found \(found)")
            #expect(Set(ids) == Self.expectedIDs(afterBatch: found), "round \(round): not a committed state")
            #expect(ids.count == Set(ids).count, "round \(round): duplicate documents")
            let hits = try index.search(SearchRequest(query: "batch\(found)", user: nil, limit: 1000))
            #expect(hits.count == Self.batchSize - (found >= 1 ? 0 : Self.batchSize), "round \(round)")
            let files = try FileSystem.listDirectory(directory.path)
            #expect(!files.contains(Manifest.temporaryName))
            lastAcknowledged = found
        }
        #expect(lastAcknowledged >= 10, "the child made commits")
    }
}
