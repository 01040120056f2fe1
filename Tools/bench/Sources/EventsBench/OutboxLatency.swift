import Foundation

/// Part 2: outbox commit → consumer handler latency at a steady rate (issue #4: p99 < 20 ms at 1,000 events/s),
/// each row in its own transaction, through `OutboxPipeline` (woken by the outbox NOTIFY, as in production).
struct OutboxLatency {
    let settings: Settings
    let runID: String

    func run() async throws {
        let s = settings
        let total = s.rate * s.seconds
        let pipeline = try await OutboxPipeline(settings: s, topic: "events-latency-\(runID)", events: total)
        say("""
            == outbox commit → consumer handler latency: \(s.rate) events/s for \(s.seconds) s (\(total) events), \
            topic \(pipeline.topic)
            \(pipeline.describe())
            """)
        let relaying = try await pipeline.startRelay()
        let interval = Duration.seconds(1) / s.rate
        let start = ContinuousClock.now + .milliseconds(50)
        // Open loop: each row is due at its own instant, whether or not earlier commits have returned.
        try await withThrowingDiscardingTaskGroup { group in
            for sequence in 0..<total {
                try await Task.sleep(until: start + interval * sequence, clock: .continuous)
                group.addTask { try await pipeline.commit(sequence) }
            }
        }
        let writing = ContinuousClock.now - start
        let complete = await waitUntil(seconds: 30) { pipeline.log.handledCount == total }
        relaying.cancel()
        await relaying.value
        await pipeline.stop()
        report(pipeline.log.summary(), total: total, writing: writing, complete: complete)
        if let path = s.latencyDump {
            try pipeline.log.csv(from: start).write(toFile: path, atomically: true, encoding: .utf8)
            say("   per-event latencies written to \(path)")
        }
    }

    private func report(_ summary: EventLog.Summary, total: Int, writing: Duration, complete: Bool) {
        let latencies = summary.latencies.sorted()
        let transactions = summary.transactions.sorted()
        say(String(format: "   offered %.0f events/s (%d in %.2f s); transaction (BEGIN..COMMIT) p50 %.2f ms p99 %.2f ms",
                   Double(total) / writing.seconds, total, writing.seconds,
                   percentile(transactions, 0.5), percentile(transactions, 0.99)))
        if !complete { say("   MISSING: \(total - latencies.count) events never reached the handler within 30 s") }
        guard !latencies.isEmpty else { return }
        let p99 = percentile(latencies, 0.99)
        say(String(format: """
               commit → handler: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms  \
            (%d handled, %d redelivered)  goal p99 < 20 ms: %@  (load %@)
            """, percentile(latencies, 0.5), percentile(latencies, 0.9), p99, percentile(latencies, 0.999),
                   latencies.last!, latencies.count, summary.redelivered, p99 < 20 && complete ? "met" : "MISSED",
                   loadAverage()))
    }
}
