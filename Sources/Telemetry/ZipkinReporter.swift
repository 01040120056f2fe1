import Foundation
import Synchronization

/// Ships finished spans off the request path: a bounded queue drained by one background thread.
///
/// `report` never waits on I/O: it copies the encoded span into the open batch, or drops and counts it when the
/// queue is full; the lock is held for that copy only (spans are encoded before), so request threads hardly ever
/// wait on each other. While the queue is full, spans are dropped before they are even encoded (`dropIfFull`),
/// so a collector that is down or slow costs requests less than a live one, not more. The worker writes JSON lines
/// to the trace file and `POST`s JSON arrays to the Zipkin endpoint over one kept-alive connection, retrying with
/// exponential backoff.
public final class ZipkinReporter: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// e.g. `http://127.0.0.1:9411/api/v2/spans`; only plain `http` is supported.
        public var endpoint: String?
        public var traceFile: String?
        public var queueCapacity = 10_000
        /// Spans per `POST` (about 450 KB at 1,000): fewer, larger posts cost the process and the collector less.
        public var batchSize = 1000
        public var flushInterval: TimeInterval = 1
        public var maxAttempts = 3
        public var initialBackoff: TimeInterval = 0.1
        /// Connect, send and receive timeout of one `POST`.
        public var requestTimeout: TimeInterval = 2

        public init(endpoint: String? = nil, traceFile: String? = nil) {
            self.endpoint = endpoint
            self.traceFile = traceFile
        }

        /// Reads `FILEFLOW_ZIPKIN_ENDPOINT` and `FILEFLOW_TRACE_FILE`; nil when neither is set.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
            -> Configuration?
        {
            let endpoint = environment["FILEFLOW_ZIPKIN_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            let file = environment["FILEFLOW_TRACE_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            guard endpoint != nil || file != nil else { return nil }
            return Configuration(endpoint: endpoint, traceFile: file)
        }
    }

    /// Counters for `/metrics` and tests.
    public struct Statistics: Sendable, Equatable {
        public var queued = 0
        public var dropped = 0
        public var posted = 0
        public var postFailures = 0
        public var written = 0
    }

    public let configuration: Configuration
    private let target: HTTPTarget?
    private let traceFile: TraceFile?
    private let condition = NSCondition()
    private var queue: SpanQueue
    private var stats = Statistics()
    private var stopping = false
    private var flushRequested = false
    /// Set, under the lock, while `report` would drop: read without it by `dropIfFull`.
    private let full = Atomic(false)
    /// Outside `stats`, so that dropping takes no lock.
    private let dropped = Atomic(0)
    private let done = DispatchSemaphore(value: 0)

    public init(configuration: Configuration) throws {
        self.configuration = configuration
        self.target = try configuration.endpoint.map(HTTPTarget.init(url:))
        self.traceFile = try configuration.traceFile.map(TraceFile.init(path:))
        self.queue = SpanQueue(batchSize: configuration.batchSize)
        let thread = Thread { [self] in run() }
        thread.name = "zipkin-reporter"
        thread.start()
    }

    public var statistics: Statistics {
        var statistics = condition.withLock { stats }
        statistics.dropped = dropped.load(ordering: .relaxed)
        return statistics
    }

    /// Counts a span as dropped, and returns true, when `report` would drop it now: asked before encoding a span.
    func dropIfFull() -> Bool {
        guard full.load(ordering: .relaxed) else { return false }
        dropped.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    /// Queues one encoded span (a Zipkin v2 JSON object) without waiting on I/O; drops and counts it when the
    /// queue is full or the reporter is shut down.
    func report(_ span: [UInt8]) {
        condition.withLock {
            guard !stopping, queue.count < configuration.queueCapacity else {
                full.store(true, ordering: .relaxed)
                dropped.wrappingAdd(1, ordering: .relaxed)
                return
            }
            if queue.append(span) { condition.signal() }
            stats.queued += 1
            if queue.count >= configuration.queueCapacity { full.store(true, ordering: .relaxed) }
        }
    }

    /// Asks the worker to send what is queued now, without waiting for it.
    public func flush() {
        condition.withLock {
            flushRequested = true
            condition.signal()
        }
    }

    /// Sends everything queued, then stops; returns false if `timeout` passed first (the rest is abandoned).
    @discardableResult
    public func shutdown(timeout: TimeInterval = 5) -> Bool {
        condition.withLock {
            stopping = true
            full.store(true, ordering: .relaxed)
            condition.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success
    }

    private func run() {
        let connection = target.map { HTTPConnection(target: $0, timeout: configuration.requestTimeout) }
        while var batches = nextBatches() {
            for index in batches.indices { send(&batches[index], over: connection) }
            condition.withLock { queue.recycle(&batches) }
        }
        connection?.close()
        traceFile?.close()
        done.signal()
    }

    /// Waits for a full batch, the flush interval, a flush request or shutdown, then takes everything queued; nil
    /// once shut down and drained.
    private func nextBatches() -> [SpanBatch]? {
        condition.withLock {
            let deadline = Date(timeIntervalSinceNow: configuration.flushInterval)
            while !queue.hasFullBatch && !stopping && !flushRequested {
                if !condition.wait(until: deadline) { break }
            }
            flushRequested = false
            let batches = queue.takeAll()
            if !stopping { full.store(false, ordering: .relaxed) }
            return batches.isEmpty && stopping ? nil : batches
        }
    }

    private func send(_ batch: inout SpanBatch, over connection: HTTPConnection?) {
        let count = batch.count
        if let traceFile, batch.withJSONLines(traceFile.append) {
            condition.withLock { stats.written += count }
        }
        guard let connection else { return }
        var backoff = configuration.initialBackoff
        for attempt in 1...max(configuration.maxAttempts, 1) {
            switch batch.withJSONArray(connection.post) {
            case .delivered:
                condition.withLock { stats.posted += count }
                return
            case .rejected:
                break
            case .retryable:
                let abandoning = condition.withLock { stopping }
                if attempt < configuration.maxAttempts && !abandoning {
                    Thread.sleep(forTimeInterval: backoff)
                    backoff *= 2
                    continue
                }
            }
            condition.withLock { stats.postFailures += count }
            return
        }
    }
}
