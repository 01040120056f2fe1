import Foundation

/// EventsBench (issue #4 "Speed", events): our Kafka producer against Python confluent-kafka on the same broker,
/// then outbox commit → consumer handler latency through OutboxRelay. See README.md ("Events") and
/// `Tools/bench/events/run.sh`, which starts the broker and Postgres.
///
/// Usage: EventsBench [throughput] [latency] [drain] (throughput and latency by default); sizes come from EVENTS_*
/// environment variables.

let parts = CommandLine.arguments.dropFirst()
guard parts.allSatisfy({ ["throughput", "latency", "drain"].contains($0) }) else {
    say("usage: EventsBench [throughput] [latency] [drain]")
    exit(64)
}
do {
    let settings = try Settings.fromEnvironment()
    let runID = String(UUID().uuidString.prefix(8)).lowercased()
    say("EventsBench run \(runID): broker \(settings.bootstrap), load average \(loadAverage())")
    if parts.isEmpty || parts.contains("throughput") {
        try await ProducerThroughput(settings: settings, runID: runID).run()
    }
    if parts.isEmpty || parts.contains("latency") {
        try await OutboxLatency(settings: settings, runID: runID).run()
    }
    if parts.contains("drain") {
        try await OutboxDrain(settings: settings, runID: runID).run()
    }
} catch {
    say("EventsBench failed: \(error)")
    exit(1)
}
