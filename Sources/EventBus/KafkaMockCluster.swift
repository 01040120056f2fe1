internal import CRdKafka

/// librdkafka's in-memory Kafka-protocol cluster (`rdkafka_mock.h`), listening on loopback.
///
/// It exists so that tests and `Tools/up` have a broker on a machine where no Apache Kafka can be
/// installed. Clients reach it over the real Kafka protocol at `bootstrapServers`, exactly as they would a
/// real cluster; faults are injected inside it (a broker set down, request errors pushed), never by killing it.
public final class KafkaMockCluster: @unchecked Sendable {
    /// The topics of CONTRACT.md §5, created up front so consumers can subscribe before the first produce.
    public static let contractTopics = ["file-uploads", "file-processing", "file-deletions", "notifications"]

    /// The handle the mock cluster is attached to; librdkafka needs one for its bookkeeping.
    private let handle: OpaquePointer
    private let cluster: OpaquePointer

    /// The `bootstrap.servers` list, `127.0.0.1:PORT,...`.
    public let bootstrapServers: String

    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers and creates `topics` with `partitions` partitions each.
    public init(brokers: Int = 3, topics: [String] = KafkaMockCluster.contractTopics, partitions: Int = 4) throws {
        guard brokers >= 1 else { throw KafkaMockClusterError("a cluster needs at least one broker, not \(brokers)") }
        guard partitions >= 1 else { throw KafkaMockClusterError("a topic needs at least one partition") }
        let conf = rd_kafka_conf_new()
        var errorText = [CChar](repeating: 0, count: 512)
        // The bookkeeping handle never talks to a broker itself; silence its logs about having none.
        _ = rd_kafka_conf_set(conf, "log_level", "0", &errorText, errorText.count)
        // The mock brokers' sockets take this handle's settings: without TCP_NODELAY, Nagle and delayed ACKs held
        // replies for ~44 ms at a time (real brokers disable Nagle too).
        _ = rd_kafka_conf_set(conf, "socket.nagle.disable", "true", &errorText, errorText.count)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            throw KafkaMockClusterError("rd_kafka_new failed: \(String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaMockClusterError("rd_kafka_mock_cluster_new failed")
        }
        self.handle = handle
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        let replication = Int32(min(brokers, 3))
        for topic in topics {
            let err = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), replication)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaMockClusterError("creating topic \(topic): \(String(cString: rd_kafka_err2str(err)))")
            }
        }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    /// Disconnects broker `id` (or every broker for -1) and refuses new connections until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) {
        _ = rd_kafka_mock_broker_set_down(cluster, id)
    }

    public func setBrokerUp(_ id: Int32) {
        _ = rd_kafka_mock_broker_set_up(cluster, id)
    }

    /// Makes the next `errors.count` requests of Kafka API `apiKey` (0 = Produce, 1 = Fetch, 8 = OffsetCommit...)
    /// fail with the given Kafka error codes, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }
}

/// Why the mock cluster could not start.
public struct KafkaMockClusterError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
