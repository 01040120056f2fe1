import EventBus
import Foundation

/// Part 1: our `KafkaProducer` against confluent-kafka's `Producer` (Python), same broker, same librdkafka
/// properties, same messages; rounds alternate sides so drift in the machine's load hits both alike.
struct ProducerThroughput {
    let settings: Settings
    let runID: String

    /// The properties both producers run with: `KafkaProducer.defaults`, the run's overrides, and what
    /// `KafkaProducer` always forces.
    var sharedProperties: [String: String] {
        KafkaProducer.defaults.merging(settings.producerOverrides) { $1 }
            .merging(["enable.idempotence": "true", "acks": "all"]) { $1 }
    }

    struct Round {
        var messagesPerSecond: Double
        var failed: Int
        /// CPU of the whole process (librdkafka's threads included) per message, over the timed part.
        var cpuMicrosPerMessage: Double
        var detail: String
    }

    func run() async throws {
        let s = settings
        say("""
            == producer throughput: \(s.messages) messages of \(s.valueBytes) B, \(s.keys) keys, a fresh topic per round, \
            \(s.rounds) rounds per side
               properties (both): \(sharedProperties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
               ours: send(batch:) of \(s.batch) messages, \(s.inFlight) in flight, every delivery report awaited
               peer: confluent-kafka Producer, produce()+poll(0) per message, then flush(); on_delivery counts reports
            """)
        var ours: [Double] = []
        var peer: [Double] = []
        var oursCPU: [Double] = []
        var peerCPU: [Double] = []
        var pairRatios: [Double] = []
        for round in 0..<s.rounds {
            // Who goes first alternates, so a load change during the pair hits both sides alike.
            let oursFirst = round.isMultiple(of: 2)
            var pair: (ours: Round?, peer: Round?) = (nil, nil)
            for side in oursFirst ? ["ours", "peer"] : ["peer", "ours"] {
                let topic = "events-bench-\(runID)-\(side)-\(round)"
                let result = side == "ours" ? try await runOurs(topic: topic) : try runPeer(topic: topic)
                guard result.failed == 0 else { throw BenchFailure("\(side) round \(round + 1): \(result.failed) messages not delivered") }
                say(String(format: "   round %d %@: %9.0f msgs/s  %@  (load %@)", round + 1, side,
                             result.messagesPerSecond, result.detail, loadAverage()))
                if side == "ours" { pair.ours = result } else { pair.peer = result }
            }
            ours.append(pair.ours!.messagesPerSecond)
            peer.append(pair.peer!.messagesPerSecond)
            oursCPU.append(pair.ours!.cpuMicrosPerMessage)
            peerCPU.append(pair.peer!.cpuMicrosPerMessage)
            pairRatios.append(pair.ours!.messagesPerSecond / pair.peer!.messagesPerSecond)
        }
        let ratio = median(ours) / median(peer)
        say(String(format: """
               median: ours %.0f msgs/s | confluent-kafka %.0f msgs/s | ratio ours/peer %.2fx (pairs: %@) \
            goal >= 1x: %@
               CPU per message (median): ours %.2f µs | confluent-kafka %.2f µs
            """, median(ours), median(peer), ratio,
                     pairRatios.map { String(format: "%.2f", $0) }.joined(separator: " "),
                     ratio >= 1 ? "met" : "MISSED", median(oursCPU), median(peerCPU)))
    }

    /// One round of ours: a fresh producer, one warm-up message (topic created, producer id assigned), then the timed run.
    private func runOurs(topic: String) async throws -> Round {
        let s = settings
        let producer = try KafkaProducer(bootstrapServers: s.bootstrap, configuration: s.producerOverrides)
        try await producer.send(KafkaOutgoingMessage(topic: topic, key: Array("warm-up".utf8), value: Array("warm-up".utf8)))
        let keys = (0..<s.keys).map { Array("key-\($0)".utf8) }
        let value = (0..<s.valueBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        let failed = await withTaskGroup(of: Int.self) { group in
            var failed = 0
            var next = 0
            var running = 0
            while next < s.messages {
                if running == s.inFlight {
                    failed += await group.next() ?? 0
                    running -= 1
                }
                let range = next..<min(s.messages, next + s.batch)
                next = range.upperBound
                running += 1
                group.addTask {
                    let batch = range.map { KafkaOutgoingMessage(topic: topic, key: keys[$0 % keys.count], value: value) }
                    return await producer.send(batch: batch).count { if case .failure = $0 { true } else { false } }
                }
            }
            for await batchFailures in group { failed += batchFailures }
            return failed
        }
        let seconds = (ContinuousClock.now - start).seconds
        let cpu = processCPUSeconds() - cpuStart
        return Round(messagesPerSecond: Double(s.messages) / seconds, failed: failed,
                     cpuMicrosPerMessage: cpu / Double(s.messages) * 1e6,
                     detail: String(format: "%.2f s, CPU %.2f s (%.2f µs/msg)", seconds, cpu, cpu / Double(s.messages) * 1e6))
    }

    /// One round of the peer, in its own Python process (started before the clock: only produce → flush is timed).
    private func runPeer(topic: String) throws -> Round {
        let s = settings
        let config = try JSONSerialization.data(withJSONObject: sharedProperties)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", s.peerScript, s.bootstrap, topic, String(s.messages), String(s.keys),
                             String(s.valueBytes), String(decoding: config, as: UTF8.self)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let seconds = report["seconds"] as? Double, let delivered = report["delivered"] as? Int,
              let failed = report["failed"] as? Int, let cpu = report["cpu"] as? Double
        else {
            throw BenchFailure("peer failed (status \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        let missing = s.messages - delivered
        return Round(messagesPerSecond: Double(s.messages) / seconds, failed: max(failed, missing),
                     cpuMicrosPerMessage: cpu / Double(s.messages) * 1e6,
                     detail: String(format: "%.2f s, CPU %.2f s (%.2f µs/msg), librdkafka %@", seconds, cpu,
                                    cpu / Double(s.messages) * 1e6,
                                    report["librdkafka"] as? String ?? "?"))
    }
}

/// CPU seconds (user + system) this process used so far, librdkafka's threads included.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
