import Foundation

/// Optional part (`EventsBench drain`): how fast the relay empties a backlog. `EVENTS_BACKLOG` rows are committed
/// while no relay runs; then the relay starts, and the time until the consumer handled the last of them gives the
/// relay's rows/s (SELECT, publish with every report awaited, mark sent, in batches of 500).
struct OutboxDrain {
    let settings: Settings
    let runID: String

    func run() async throws {
        let s = settings
        let pipeline = try await OutboxPipeline(settings: s, topic: "events-drain-\(runID)", events: s.backlog)
        say("== outbox relay drain: \(s.backlog) rows committed first, then the relay starts\n\(pipeline.describe())")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for sequence in stride(from: writer, to: s.backlog, by: 8) { try await pipeline.commit(sequence) }
                }
            }
            try await group.waitForAll()
        }
        let start = ContinuousClock.now
        let relaying = try await pipeline.startRelay()
        let complete = await waitUntil(seconds: 120) { pipeline.log.handledCount == s.backlog }
        let seconds = (ContinuousClock.now - start).seconds
        relaying.cancel()
        await relaying.value
        await pipeline.stop()
        guard complete else { throw BenchFailure("drain: \(s.backlog - pipeline.log.handledCount) rows not handled in 120 s") }
        say(String(format: "   drained %d rows in %.2f s: %.0f rows/s  (load %@)", s.backlog, seconds,
                   Double(s.backlog) / seconds, loadAverage()))
    }
}
