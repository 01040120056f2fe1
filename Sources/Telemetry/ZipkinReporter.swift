import Foundation

/// Ships finished spans off the request path: a bounded queue drained by one background thread.
///
/// `report` never waits on I/O: when the queue is full the span is dropped and counted. The worker writes JSON
/// lines to the trace file and `POST`s JSON arrays to the Zipkin endpoint, retrying with exponential backoff.
public final class ZipkinReporter: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// e.g. `http://127.0.0.1:9411/api/v2/spans`; only plain `http` is supported.
        public var endpoint: String?
        public var traceFile: String?
        public var queueCapacity = 10_000
        public var batchSize = 200
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
    private let condition = NSCondition()
    private var queue: [ZipkinSpanRecord] = []
    private var stats = Statistics()
    private var inFlight = 0
    private var stopping = false
    private var flushRequested = false
    private var fileHandle: FileHandle?
    private let done = DispatchSemaphore(value: 0)

    public init(configuration: Configuration) throws {
        self.configuration = configuration
        self.target = try configuration.endpoint.map(HTTPTarget.init(url:))
        if let path = configuration.traceFile {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw TelemetryError(code: .traceFileUnwritable, message: "cannot open \(path) for writing")
            }
            handle.seekToEndOfFile()
            fileHandle = handle
        }
        let thread = Thread { [self] in run() }
        thread.name = "zipkin-reporter"
        thread.start()
    }

    public var statistics: Statistics {
        condition.withLock { stats }
    }

    /// Enqueues without blocking; drops (and counts) when the queue is full or the reporter is shut down.
    public func report(_ span: ZipkinSpanRecord) {
        condition.withLock {
            guard !stopping, queue.count < configuration.queueCapacity else {
                stats.dropped += 1
                return
            }
            queue.append(span)
            stats.queued += 1
            if queue.count >= configuration.batchSize { condition.signal() }
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
            condition.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success
    }

    private func run() {
        while true {
            // Takes the whole queue at once (a swap, not a shift of what stays) and sends it in batches.
            let taken: [ZipkinSpanRecord]? = condition.withLock {
                let deadline = Date(timeIntervalSinceNow: configuration.flushInterval)
                while queue.count < configuration.batchSize && !stopping && !flushRequested {
                    if !condition.wait(until: deadline) { break }
                }
                flushRequested = false
                if queue.isEmpty { return stopping ? nil : [] }
                defer { queue = [] }
                return queue
            }
            guard let taken else { break }
            for start in stride(from: 0, to: taken.count, by: max(configuration.batchSize, 1)) {
                send(taken[start..<min(start + configuration.batchSize, taken.count)])
            }
        }
        try? fileHandle?.synchronize()
        try? fileHandle?.close()
        done.signal()
    }

    private func send(_ batch: ArraySlice<ZipkinSpanRecord>) {
        let encoded = batch.map(\.jsonBytes)
        if let fileHandle {
            var lines = Data(capacity: encoded.reduce(0) { $0 + $1.count + 1 })
            for span in encoded {
                lines.append(contentsOf: span)
                lines.append(UInt8(ascii: "\n"))
            }
            fileHandle.write(lines)
            condition.withLock { stats.written += batch.count }
        }
        guard let target else { return }
        var body = Data(capacity: encoded.reduce(2) { $0 + $1.count + 1 })
        body.append(UInt8(ascii: "["))
        for (index, span) in encoded.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: span)
        }
        body.append(UInt8(ascii: "]"))
        var backoff = configuration.initialBackoff
        for attempt in 1...max(configuration.maxAttempts, 1) {
            switch HTTPPost.send(body, to: target, timeout: configuration.requestTimeout) {
            case .delivered:
                condition.withLock { stats.posted += batch.count }
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
            condition.withLock { stats.postFailures += batch.count }
            return
        }
    }
}
