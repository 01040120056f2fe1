#if canImport(Glibc)
import Glibc
#endif
import SearchIndex

/// SearchBench: builds the deterministic corpus, indexes and queries it with SearchIndex, computes the brute-force
/// top-10 for a sample, and writes the corpus, queries and our figures for `Tools/bench/search/peers.py`, which
/// runs PostgreSQL and SQLite FTS5 on the same data and prints the comparison (see `Tools/bench/search/run.sh`).
///
/// Usage: SearchBench <documents> <work directory>

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// CPU time of this process: on a shared machine it moves less than wall time, so both are reported.
func cpuNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func directorySize(_ path: String) -> Int {
    guard let dir = opendir(path) else { return 0 }
    defer { closedir(dir) }
    var total = 0
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var info = stat()
        if name != "." && name != "..", stat(path + "/" + name, &info) == 0 { total += Int(info.st_size) }
    }
    return total
}

func writeText(_ path: String, _ text: String) {
    guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
    fputs(text, file)
    fclose(file)
}

func log(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
let documentCount = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let work = arguments.count > 2 ? arguments[2] : "/tmp/searchbench"
mkdir(work, 0o755)
let indexDirectory = work + "/ours"
/// SEARCHBENCH_REUSE=1 keeps an index left by an earlier run of the same size (for profiling queries alone).
let reuseIndex = getenv("SEARCHBENCH_REUSE") != nil && access(indexDirectory + "/manifest", F_OK) == 0
if !reuseIndex { system("rm -rf '\(indexDirectory)'") }

log("generating \(documentCount) documents")
var corpus = BenchCorpus(vocabularySize: 50_000)
var documents: [IndexDocument] = []
documents.reserveCapacity(documentCount)
for i in 0..<documentCount { documents.append(corpus.makeDocument(i)) }

// The peers get the same terms: names as our analyzer splits them, texts as generated.
do {
    guard let file = fopen(work + "/corpus.tsv", "w") else { fatalError("cannot write corpus") }
    for d in 0..<documentCount {
        let name = corpus.nameTerms[corpus.nameStarts[d]..<corpus.nameStarts[d + 1]].map { corpus.term($0) }
        fputs("\(d)\t\(name.joined(separator: " "))\t\(documents[d].text)\n", file)
    }
    fclose(file)
}

log("indexing")
var start = now()
let cpuStart = cpuNow()
if !reuseIndex {
    let index = try SearchIndex(directory: indexDirectory)
    for document in documents { try index.add(document) }
    log("added in \(now() - start) s (cpu \(cpuNow() - cpuStart) s)")
    try index.commit()
}
let indexSeconds = now() - start
let indexCPUSeconds = cpuNow() - cpuStart
let indexBytes = directorySize(indexDirectory)
documents = []
start = now()
let index = try SearchIndex(directory: indexDirectory)
let openSeconds = now() - start
log("indexed in \(indexSeconds) s (cpu \(indexCPUSeconds) s), \(indexBytes) bytes, opened in \(openSeconds) s")

// SEARCHBENCH_ONLY=<kind> keeps one kind of query, SEARCHBENCH_QUERIES=<query>|<query>... only those queries (as
// SEARCHBENCH_SLOW prints them), for profiling them alone.
let only = getenv("SEARCHBENCH_ONLY").map { String(cString: $0) }
let chosen = getenv("SEARCHBENCH_QUERIES").map { Set(String(cString: $0).split(separator: "|").map(String.init)) }
let queries = BenchQuery.make(&corpus, count: 1000).filter {
    (only == nil || $0.kind.rawValue == only) && (chosen == nil || chosen!.contains($0.ours(corpus).query))
}
let frozenCorpus = corpus
var queryLines = ""
for q in queries {
    queryLines += "\(q.kind.rawValue)\t\(q.postgres(corpus))\t\(q.fts5(corpus))\n"
}
writeText(work + "/queries.tsv", queryLines)

/// SEARCHBENCH_CPU=1 times each query by this thread's CPU time instead of wall time: on a busy machine it
/// leaves out the time the query waited for a core (for comparing builds; the peers are timed by wall time).
let queryClock = getenv("SEARCHBENCH_CPU") != nil ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC

func queryNow() -> Double {
    var t = timespec()
    clock_gettime(queryClock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// SEARCHBENCH_SLOW=<ms> logs the queries slower than that, for profiling the tail (0: every query).
let slowMilliseconds = getenv("SEARCHBENCH_SLOW").flatMap { Double(String(cString: $0)) }

/// SEARCHBENCH_EVICT=<MB> writes through a buffer that large before each query (not timed): every query starts with
/// cold caches, for comparing builds by what sets a full run's p50.
nonisolated(unsafe) let evictor = getenv("SEARCHBENCH_EVICT").flatMap { Int(String(cString: $0)) }
    .map { CacheEvictor(megabytes: $0) }

func runAll(
    _ queries: [BenchQuery], _ corpus: BenchCorpus, _ index: SearchIndex, acl: Bool
) throws -> ([String: [Double]], [[String]]) {
    var latencies: [String: [Double]] = [:]
    var results: [[String]] = []
    for (i, q) in queries.enumerated() {
        var request = q.ours(corpus)
        if acl { request.user = "user\(i % 1000)" }
        evictor?.evict()
        let t0 = queryNow()
        let hits = try index.search(request)
        let milliseconds = (queryNow() - t0) * 1000
        latencies[q.kind.rawValue, default: []].append(milliseconds)
        if let slowMilliseconds, milliseconds > slowMilliseconds {
            log("slow \(q.kind.rawValue) \(request.query): \(milliseconds) ms")
        }
        results.append(hits.map(\.id))
    }
    return (latencies, results)
}

log("querying")
// SEARCHBENCH_REPEAT=<n> runs the warm-up pass n times, so a profiler sees mostly queries.
let repeats = getenv("SEARCHBENCH_REPEAT").flatMap { Int(String(cString: $0)) } ?? 1
for _ in 0..<repeats { _ = try runAll(queries, frozenCorpus, index, acl: false) }
var (latencies, results) = try runAll(queries, frozenCorpus, index, acl: false)
// SEARCHBENCH_BEST=<n> reports each query's best of n passes (not the first pass after the warm-up): one pass on a
// shared machine catches others' bursts.
let bestOf = getenv("SEARCHBENCH_BEST").flatMap { Int(String(cString: $0)) } ?? 1
for _ in 1..<max(bestOf, 1) {
    let (again, _) = try runAll(queries, frozenCorpus, index, acl: false)
    for (kind, values) in again { latencies[kind] = zip(latencies[kind]!, values).map { min($0, $1) } }
}
_ = try runAll(queries, frozenCorpus, index, acl: true)
let (aclLatencies, _) = try runAll(queries, frozenCorpus, index, acl: true)

log("brute force")
let brute = BruteForce(corpus: frozenCorpus)
let sampleSize = 20
var bruteLines = ""
var overlap: [String: [Double]] = [:]
for (i, q) in queries.enumerated() where i / BenchQuery.Kind.allCases.count < sampleSize {
    let expected = brute.top10(q)
    bruteLines += "\(i)\t\(expected.joined(separator: ","))\n"
    let ours = Set(results[i])
    let value = expected.isEmpty ? (ours.isEmpty ? 1 : 0) : Double(expected.filter(ours.contains).count)
        / Double(expected.count)
    overlap[q.kind.rawValue, default: []].append(value)
}
writeText(work + "/brute.tsv", bruteLines)

var resultLines = ""
for (i, ids) in results.enumerated() { resultLines += "\(i)\t\(ids.joined(separator: ","))\n" }
writeText(work + "/ours-results.tsv", resultLines)

var json = "{\"documents\": \(documentCount), \"index_seconds\": \(indexSeconds), "
json += "\"index_cpu_seconds\": \(indexCPUSeconds), \"index_bytes\": \(indexBytes), "
json += "\"open_seconds\": \(openSeconds), \"latency\": {"
json += BenchQuery.Kind.allCases.map { k in
    let v = latencies[k.rawValue] ?? [0]
    let a = aclLatencies[k.rawValue] ?? [0]
    let o = overlap[k.rawValue] ?? []
    return "\"\(k.rawValue)\": {\"p50\": \(percentile(v, 0.5)), \"p99\": \(percentile(v, 0.99)), "
        + "\"acl_p50\": \(percentile(a, 0.5)), \"acl_p99\": \(percentile(a, 0.99)), "
        + "\"overlap\": \(o.isEmpty ? 0 : o.reduce(0, +) / Double(o.count))}"
}.joined(separator: ", ")
json += "}}\n"
writeText(work + "/ours.json", json)
print(json)
