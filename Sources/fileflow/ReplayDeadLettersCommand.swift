import ArgumentParser
import EventBus
import Foundation

/// `fileflow replay-dead-letters --topic T`: once whatever made a consumer park messages in `T.dlq` is fixed (a
/// bug, a dependency that was down), puts them back on their topic for every consumer group to handle again.
/// Consumers dedupe by event id, so replaying a letter that meanwhile succeeded elsewhere is harmless.
struct ReplayDeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-dead-letters",
        abstract: "Put the messages parked in <topic>.dlq back on <topic> (or list them with --dry-run).")

    @Option(help: "The original topic (its dead letters are in <topic>.dlq), e.g. file-processing.")
    var topic: String
    @Option(help: "Kafka bootstrap servers; defaults to $FILEFLOW_KAFKA_BOOTSTRAP.") var kafkaBootstrap: String?
    @Option(help: "Stop after this many seconds without a new dead letter.") var idleSeconds = 2
    @Flag(help: "List every dead letter with where it came from and why it failed; produce and commit nothing.")
    var dryRun = false

    func validate() throws {
        guard DeadLetters.isTopicName(Substring(topic)), !topic.hasSuffix(DeadLetters.suffix) else {
            throw ValidationError("--topic must be the original topic's name (letters, digits, '.', '_', '-'), "
                + "without \(DeadLetters.suffix)")
        }
        guard (1...3600).contains(idleSeconds) else { throw ValidationError("--idle-seconds must be 1 to 3600") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let servers = kafkaBootstrap ?? environment["FILEFLOW_KAFKA_BOOTSTRAP"], !servers.isEmpty else {
            throw ValidationError("no Kafka: pass --kafka-bootstrap or set FILEFLOW_KAFKA_BOOTSTRAP")
        }
        // One group per deployment (the services' prefix), so a second replay resumes where the first stopped.
        let group = (environment["FILEFLOW_KAFKA_GROUP_PREFIX"] ?? "") + "dlq-replay"
        let verb = dryRun ? "would replay" : "replayed"
        let count = try await DeadLetters.replay(
            topic: topic, bootstrapServers: servers, group: group, idle: .seconds(idleSeconds), dryRun: dryRun
        ) { letter in
            let why = letter.header(DeadLetters.errorHeader).map { String(decoding: $0, as: UTF8.self) } ?? "unknown"
            print("\(verb) \(letter.topic)/\(letter.partition)@\(letter.offset) to \(DeadLetters.originalTopic(of: letter)): \(why)")
        }
        print("\(verb) \(count) dead letter\(count == 1 ? "" : "s") from \(topic)\(DeadLetters.suffix)")
    }
}
