import Foundation

/// What `events/run.sh` passes in, from the environment (defaults are the full-size run).
struct Settings {
    var bootstrap: String
    var postgresURL: String?
    var peerScript: String
    /// Throughput part: messages per round, distinct keys, value size, rounds per side (alternating).
    var messages: Int
    var keys: Int
    var valueBytes: Int
    var rounds: Int
    /// Our side sends `send(batch:)` calls of `batch` messages, `inFlight` of them at a time.
    var batch: Int
    var inFlight: Int
    /// librdkafka properties layered over `KafkaProducer.defaults` for both producers of the throughput part.
    var producerOverrides: [String: String]
    /// Latency part: outbox rows committed per second, for how long.
    var rate: Int
    var seconds: Int
    /// librdkafka properties layered over the relay producer's and the consumer's own (`key=value,...`), to find
    /// out what the latency is made of; empty in the standard run.
    var relayProducerOverrides: [String: String]
    var consumerOverrides: [String: String]
    var relayIdleWaitMillis: Int32
    /// Latency part: where to write each event's commit instant and latency (CSV), if anywhere.
    var latencyDump: String?
    /// Drain part: rows committed before the relay starts.
    var backlog: Int

    static func fromEnvironment() throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        guard let bootstrap = env["FILEFLOW_KAFKA_BOOTSTRAP"], !bootstrap.isEmpty else {
            throw BenchFailure("FILEFLOW_KAFKA_BOOTSTRAP is not set (Tools/bench/events/run.sh starts a dev-broker)")
        }
        func int(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = env[name] else { return fallback }
            guard let value = Int(text), value > 0 else { throw BenchFailure("\(name)=\(text) is not a positive integer") }
            return value
        }
        func properties(_ name: String) throws -> [String: String] {
            var result: [String: String] = [:]
            for pair in (env[name] ?? "").split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw BenchFailure("\(name): '\(pair)' is not key=value") }
                result[String(parts[0])] = String(parts[1])
            }
            return result
        }
        return Settings(
            bootstrap: bootstrap, postgresURL: env["FILEFLOW_POSTGRES_URL"],
            peerScript: env["EVENTS_PEER_SCRIPT"] ?? "Tools/bench/events/peer_producer.py",
            messages: try int("EVENTS_MESSAGES", 500_000), keys: try int("EVENTS_KEYS", 16),
            valueBytes: try int("EVENTS_VALUE_BYTES", 100), rounds: try int("EVENTS_ROUNDS", 3),
            batch: try int("EVENTS_BATCH", 10_000), inFlight: try int("EVENTS_IN_FLIGHT", 4),
            producerOverrides: try properties("EVENTS_PRODUCER_CONFIG"),
            rate: try int("EVENTS_RATE", 1_000), seconds: try int("EVENTS_SECONDS", 20),
            relayProducerOverrides: try properties("EVENTS_RELAY_PRODUCER_CONFIG"),
            consumerOverrides: try properties("EVENTS_CONSUMER_CONFIG"),
            relayIdleWaitMillis: Int32(try int("EVENTS_RELAY_IDLE_WAIT_MS", 1_000)),
            latencyDump: env["EVENTS_LATENCY_CSV"], backlog: try int("EVENTS_BACKLOG", 20_000))
    }
}
