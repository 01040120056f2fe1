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
    public var json: String {
        var object = JSONText()
        object.field("traceId", traceID.description)
        if let parentID { object.field("parentId", parentID.description) }
        object.field("id", id.description)
        if let kind { object.field("kind", kind.rawValue) }
        object.field("name", name)
        object.field("timestamp", timestamp)
        object.field("duration", max(duration, 1))
        if debug { object.field("debug", true) }
        object.field("localEndpoint", raw: Self.encode(localEndpoint))
        if let remoteEndpoint, !remoteEndpoint.isEmpty {
            object.field("remoteEndpoint", raw: Self.encode(remoteEndpoint))
        }
        if !annotations.isEmpty {
            let items = annotations.map { annotation in
                var item = JSONText()
                item.field("timestamp", annotation.timestamp)
                item.field("value", annotation.value)
                return item.finished()
            }
            object.field("annotations", raw: "[" + items.joined(separator: ",") + "]")
        }
        if !tags.isEmpty {
            var tagObject = JSONText()
            for (key, value) in tags { tagObject.field(key, value) }
            object.field("tags", raw: tagObject.finished())
        }
        return object.finished()
    }

    private static func encode(_ endpoint: Endpoint) -> String {
        var object = JSONText()
        if let serviceName = endpoint.serviceName { object.field("serviceName", serviceName) }
        if let ipv4 = endpoint.ipv4 { object.field("ipv4", ipv4) }
        if let ipv6 = endpoint.ipv6 { object.field("ipv6", ipv6) }
        if let port = endpoint.port, port > 0, port <= 65535 { object.field("port", UInt64(port)) }
        return object.finished()
    }
}
