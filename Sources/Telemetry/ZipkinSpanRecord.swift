/// A finished span in Zipkin v2 form (`Span` in ../shared/zipkin/zipkin2-api.yaml), ready to report.
public struct ZipkinSpanRecord: Sendable, Equatable {
    /// Zipkin's `Endpoint`: who sent or received the work.
    public struct Endpoint: Sendable, Equatable {
        public var serviceName: String?
        public var ipv4: String?
        public var ipv6: String?
        public var port: Int?

        public init(serviceName: String? = nil, ipv4: String? = nil, ipv6: String? = nil, port: Int? = nil) {
            self.serviceName = serviceName
            self.ipv4 = ipv4
            self.ipv6 = ipv6
            self.port = port
        }

        var isEmpty: Bool { serviceName == nil && ipv4 == nil && ipv6 == nil && port == nil }
    }

    public enum Kind: String, Sendable {
        case client = "CLIENT"
        case server = "SERVER"
        case producer = "PRODUCER"
        case consumer = "CONSUMER"
    }

    public var traceID: TraceID
    public var id: SpanID
    public var parentID: SpanID?
    public var name: String
    public var kind: Kind?
    /// Epoch microseconds.
    public var timestamp: UInt64
    /// Microseconds, at least 1 (the schema's minimum).
    public var duration: UInt64
    public var debug: Bool
    public var localEndpoint: Endpoint
    public var remoteEndpoint: Endpoint?
    public var annotations: [(timestamp: UInt64, value: String)]
    public var tags: [(String, String)]

    public static func == (lhs: ZipkinSpanRecord, rhs: ZipkinSpanRecord) -> Bool {
        lhs.json == rhs.json
    }

    /// The span as one JSON object, keys in a fixed order.
    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// `json` as UTF-8, written in one buffer (the reporter's hot path).
    public var jsonBytes: [UInt8] {
        var object = JSONText(capacity: 512)
        if traceID.is128Bit {
            object.field("traceId", hexWords: traceID.high, traceID.low)
        } else {
            object.field("traceId", hexWords: traceID.low)
        }
        if let parentID { object.field("parentId", hexWords: parentID.value) }
        object.field("id", hexWords: id.value)
        if let kind { object.field("kind", kind.rawValue) }
        object.field("name", name)
        object.field("timestamp", timestamp)
        object.field("duration", max(duration, 1))
        if debug { object.field("debug", true) }
        Self.write(localEndpoint, as: "localEndpoint", into: &object)
        if let remoteEndpoint, !remoteEndpoint.isEmpty { Self.write(remoteEndpoint, as: "remoteEndpoint", into: &object) }
        if !annotations.isEmpty {
            object.beginArray("annotations")
            for annotation in annotations {
                object.beginElementObject()
                object.field("timestamp", annotation.timestamp)
                object.field("value", annotation.value)
                object.endObject()
            }
            object.endArray()
        }
        if !tags.isEmpty {
            object.beginObject("tags")
            for (key, value) in tags { object.field(key, value) }
            object.endObject()
        }
        return object.finishedBytes()
    }

    private static func write(_ endpoint: Endpoint, as key: String, into object: inout JSONText) {
        object.beginObject(key)
        if let serviceName = endpoint.serviceName { object.field("serviceName", serviceName) }
        if let ipv4 = endpoint.ipv4 { object.field("ipv4", ipv4) }
        if let ipv6 = endpoint.ipv6 { object.field("ipv6", ipv6) }
        if let port = endpoint.port, port > 0, port <= 65535 { object.field("port", UInt64(port)) }
        object.endObject()
    }
}
