import FlowJSON
import Tracing

extension ZipkinSpan {
    /// Writes the finished span as a Zipkin v2 `Span` (../shared/zipkin/zipkin2-api.yaml) into one buffer, with no
    /// intermediate record or per-value `String`s; called once, with the span's lock held.
    ///
    /// Encoded tags come first; attributes become string tags, except the peer ones, which fill `remoteEndpoint`
    /// over what `setRemoteEndpoint` set; an error status adds the `error` tag.
    func writeJSON(_ state: State, into object: inout JSONText, endNanos: UInt64) {
        if b3.traceID.is128Bit {
            object.field(Key.traceId, hex: b3.traceID.high, b3.traceID.low)
        } else {
            object.field(Key.traceId, hex: b3.traceID.low)
        }
        if let parent = b3.parentSpanID { object.field(Key.parentId, hex: parent.value) }
        object.field(Key.id, hex: b3.spanID.value)
        if let kind = zipkinKind { object.field(Key.kind, raw: kind) }
        object.field(Key.name, state.name)
        object.field(Key.timestamp, startNanos / 1000)
        // Microseconds, at least 1 (the schema's minimum).
        object.field(Key.duration, endNanos > startNanos ? max((endNanos - startNanos) / 1000, 1) : 1)
        if b3.sampling == .debug { object.field(Key.debug, true) }
        object.field(Key.localEndpoint, raw: tracer.localEndpointJSON)

        // Copied (a retain per member) only when peer attributes override what `setRemoteEndpoint` set.
        var overridden: RemoteEndpoint?
        // No nested function to open the tags: one captured by the closure below cost a heap box per span.
        var tagsOpen = !state.encodedTags.isEmpty
        if tagsOpen {
            object.beginObject(Key.tags)
            object.members(raw: state.encodedTags)
        }
        state.attributes.forEach { key, value in
            switch key {
            case Self.remoteServiceAttribute, Self.remoteAddressAttribute, Self.remotePortAttribute:
                var remote = overridden ?? state.remote
                remote.set(key, value)
                overridden = remote
            default:
                if !tagsOpen { object.beginObject(Key.tags) }
                tagsOpen = true
                Self.writeTag(key, value, into: &object)
            }
        }
        if let errorTag = state.errorTag {
            if !tagsOpen { object.beginObject(Key.tags) }
            tagsOpen = true
            object.field(Key.error, errorTag)
        }
        if tagsOpen { object.endObject() }
        (overridden ?? state.remote).write(into: &object)

        if !state.events.isEmpty {
            object.beginArray(Key.annotations)
            for event in state.events {
                object.beginElementObject()
                object.field(Key.timestamp, event.nanosecondsSinceEpoch / 1000)
                object.field(Key.value, event.name)
                object.endObject()
            }
            object.endArray()
        }
    }

    /// The span kind as a JSON string.
    private var zipkinKind: String? {
        switch kind {
        case .server: #""SERVER""#
        case .client: #""CLIENT""#
        case .producer: #""PRODUCER""#
        case .consumer: #""CONSUMER""#
        default: nil
        }
    }

    /// Integers, the usual tag values (status codes, ports), are written as digits without a `String`.
    private static func writeTag(_ key: String, _ value: SpanAttribute, into object: inout JSONText) {
        switch value {
        case .int32(let number): object.field(key, quotedInteger: Int64(number))
        case .int64(let number): object.field(key, quotedInteger: number)
        case .string(let text): object.field(key, text)
        default: object.field(key, text(value))
        }
    }

    fileprivate static func integer(_ attribute: SpanAttribute) -> Int? {
        switch attribute {
        case .int32(let value): Int(value)
        case .int64(let value): Int(value)
        default: Int(text(attribute))
        }
    }

    fileprivate static func text(_ attribute: SpanAttribute) -> String {
        switch attribute {
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .string(let value): value
        case .stringConvertible(let value): value.description
        case .int32Array(let values): values.map(String.init).joined(separator: ",")
        case .int64Array(let values): values.map(String.init).joined(separator: ",")
        case .doubleArray(let values): values.map { String($0) }.joined(separator: ",")
        case .boolArray(let values): values.map(String.init).joined(separator: ",")
        case .stringArray(let values): values.joined(separator: ",")
        case .stringConvertibleArray(let values): values.map(\.description).joined(separator: ",")
        default: String(describing: attribute)
        }
    }
}

/// Zipkin's `remoteEndpoint`, set directly or gathered from the peer attributes; written only with at least one
/// valid member.
struct RemoteEndpoint {
    var serviceName: String?
    var address: String?
    var port: Int?

    /// Takes one of the peer attributes (`ZipkinSpan.remote…Attribute`).
    mutating func set(_ attribute: String, _ value: SpanAttribute) {
        switch attribute {
        case ZipkinSpan.remoteServiceAttribute: serviceName = ZipkinSpan.text(value)
        case ZipkinSpan.remoteAddressAttribute: address = ZipkinSpan.text(value)
        default: port = ZipkinSpan.integer(value)
        }
    }

    func write(into object: inout JSONText) {
        let validPort = port.flatMap { (1...65535).contains($0) ? UInt64($0) : nil }
        guard serviceName != nil || address != nil || validPort != nil else { return }
        object.beginObject(Key.remoteEndpoint)
        if let serviceName { object.field(Key.serviceName, serviceName) }
        // `utf8.contains`, not `String.contains`: the latter is a Foundation substring search on every span.
        if let address { object.field(address.utf8.contains(UInt8(ascii: ":")) ? Key.ipv6 : Key.ipv4, address) }
        if let validPort { object.field(Key.port, validPort) }
        object.endObject()
    }
}

/// The member names of a span, written as they are (computed: constants, with no lazy global to check on use).
private enum Key {
    static var traceId: StaticJSONKey { StaticJSONKey("traceId") }
    static var parentId: StaticJSONKey { StaticJSONKey("parentId") }
    static var id: StaticJSONKey { StaticJSONKey("id") }
    static var kind: StaticJSONKey { StaticJSONKey("kind") }
    static var name: StaticJSONKey { StaticJSONKey("name") }
    static var timestamp: StaticJSONKey { StaticJSONKey("timestamp") }
    static var duration: StaticJSONKey { StaticJSONKey("duration") }
    static var debug: StaticJSONKey { StaticJSONKey("debug") }
    static var localEndpoint: StaticJSONKey { StaticJSONKey("localEndpoint") }
    static var remoteEndpoint: StaticJSONKey { StaticJSONKey("remoteEndpoint") }
    static var tags: StaticJSONKey { StaticJSONKey("tags") }
    static var error: StaticJSONKey { StaticJSONKey("error") }
    static var annotations: StaticJSONKey { StaticJSONKey("annotations") }
    static var value: StaticJSONKey { StaticJSONKey("value") }
    static var serviceName: StaticJSONKey { StaticJSONKey("serviceName") }
    static var ipv4: StaticJSONKey { StaticJSONKey("ipv4") }
    static var ipv6: StaticJSONKey { StaticJSONKey("ipv6") }
    static var port: StaticJSONKey { StaticJSONKey("port") }
}
