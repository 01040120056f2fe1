/// The reporter's queue of encoded spans, already cut into batches of the size they are posted in; guarded by the
/// reporter's lock.
///
/// Sent batches come back for reuse, so in the steady state queueing a span only copies its bytes.
struct SpanQueue {
    /// Spans waiting, in the open batch and the closed ones.
    private(set) var count = 0
    private let batchSize: Int
    private var open = SpanBatch()
    private var closed: [SpanBatch] = []
    /// Emptied batches kept for reuse; a few only, so an idle process does not hold a burst's worth of memory.
    private var spare: [SpanBatch] = []
    private static let maxSpare = 4

    init(batchSize: Int) {
        self.batchSize = max(batchSize, 1)
    }

    /// Whether a batch is full and waiting to be sent.
    var hasFullBatch: Bool { !closed.isEmpty }

    /// Adds one encoded span to the open batch; true when that filled the batch.
    mutating func append(_ span: [UInt8]) -> Bool {
        open.append(span)
        count += 1
        guard open.count >= batchSize else { return false }
        closeOpenBatch()
        return true
    }

    /// Every waiting span, the open batch's too, leaving the queue empty.
    mutating func takeAll() -> [SpanBatch] {
        if open.count > 0 { closeOpenBatch() }
        count = 0
        var taken: [SpanBatch] = []
        swap(&taken, &closed)
        return taken
    }

    /// Takes back sent batches (emptying `batches`) to reuse their buffers.
    mutating func recycle(_ batches: inout [SpanBatch]) {
        while var batch = batches.popLast() {
            guard spare.count < Self.maxSpare else { continue }
            batch.reset()
            spare.append(batch)
        }
    }

    private mutating func closeOpenBatch() {
        closed.append(open)
        open = spare.popLast() ?? SpanBatch()
    }
}
