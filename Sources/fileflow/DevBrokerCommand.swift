import ArgumentParser
import EventBus
import Foundation

/// `fileflow dev-broker`: an in-memory Kafka-protocol cluster on loopback for development and tests.
///
/// Used by `Tools/up` and `Tools/test` when `FILEFLOW_KAFKA_BOOTSTRAP` names no real cluster.
struct DevBrokerCommand: ParsableCommand {
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

    func run() throws {
        let signals = blockTerminationSignals()
        let cluster = try KafkaMockCluster(brokers: brokers, partitions: partitions)
        if let bootstrapFile {
            try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
        }
        let topics = KafkaMockCluster.contractTopics.joined(separator: ",")
        // Unbuffered, so a supervisor reading our output sees the address at once.
        FileHandle.standardOutput.write(
            Data("dev-broker: \(cluster.brokerCount) brokers at \(cluster.bootstrapServers) topics: \(topics)\n".utf8)
        )
        var received: Int32 = 0
        sigwait(&signals.set, &received)
        print("dev-broker: stopping on signal \(received)")
        withExtendedLifetime(cluster) {}
    }

    /// Blocks SIGTERM and SIGINT in every thread (librdkafka's included) so `sigwait` alone receives them.
    private func blockTerminationSignals() -> SignalSet {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return SignalSet(set: set)
    }
}

/// A mutable box so `sigwait` can take the set by pointer.
private final class SignalSet {
    var set: sigset_t
    init(set: sigset_t) { self.set = set }
}
