import ArgumentParser
import EventBus
import Foundation
import UnixSignals

/// `fileflow dev-broker`: an in-memory Kafka-protocol cluster on loopback for development and tests.
///
/// Used by `Tools/up` and `Tools/test` when `FILEFLOW_KAFKA_BOOTSTRAP` names no real cluster.
struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run librdkafka's mock Kafka cluster on loopback until SIGTERM or SIGINT."
    )

    @Option(help: "Number of brokers in the cluster.")
    var brokers: Int = 3

    @Option(help: "Partitions per topic.")
    var partitions: Int = 4

    @Option(help: "Write the bootstrap address to this file once the cluster listens.")
    var bootstrapFile: String?

    func run() async throws {
        // Trapped before the cluster starts, so that a signal during start-up stops it cleanly too.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let cluster = try KafkaMockCluster(brokers: brokers, partitions: partitions)
        if let bootstrapFile {
            try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
        }
        let topics = KafkaMockCluster.contractTopics.joined(separator: ",")
        // Unbuffered, so a supervisor reading our output sees the address at once.
        FileHandle.standardOutput.write(
            Data("dev-broker: \(cluster.brokerCount) brokers at \(cluster.bootstrapServers) topics: \(topics)\n".utf8)
        )
        for await signal in signals {
            print("dev-broker: stopping on signal \(signal)")
            break
        }
        withExtendedLifetime(cluster) {}
    }
}

