/// A Kafka failure: a code to switch on and librdkafka's own words.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }

        /// The client could not be created (bad configuration).
        public static let configuration = Code("configuration")
        /// The broker did not acknowledge a message (timed out, refused, or the producer is shutting down).
        public static let deliveryFailed = Code("deliveryFailed")
        /// librdkafka refused the message locally (too large, unknown topic...).
        public static let produceRefused = Code("produceRefused")
        /// Subscribing, committing or polling failed.
        public static let consumer = Code("consumer")
    }

    public var code: Code
    public var message: String
    /// librdkafka's `rd_kafka_resp_err_t` value, when there is one.
    public var kafkaErrorCode: Int32?

    public init(_ code: Code, _ message: String, kafkaErrorCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.kafkaErrorCode = kafkaErrorCode
    }

    public var description: String { "KafkaError.\(code): \(message)" }
}
