/// A message to produce. Headers keep their order; `b3` carries trace context (CONTRACT.md §5).
public struct KafkaOutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A message keyed by a string (FileFlow keys by file id) with an optional `b3` trace header.
    public init(topic: String, key: String, value: [UInt8], b3: String? = nil) {
        self.init(topic: topic, key: Array(key.utf8), value: value,
                  headers: b3.map { [KafkaHeader(name: "b3", value: Array($0.utf8))] } ?? [])
    }
}

public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// Where the broker stored a produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A consumed message.
public struct KafkaIncomingMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    /// The last header named `name` (case-sensitive, as Kafka headers are).
    public func header(_ name: String) -> [UInt8]? { headers.last { $0.name == name }?.value }

    /// The `b3` trace context, for continuing the producer's trace.
    public var b3: String? { header("b3").map { String(decoding: $0, as: UTF8.self) } }

    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}
