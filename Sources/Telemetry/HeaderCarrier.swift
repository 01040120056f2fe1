import Tracing

/// Writes B3 headers into any ordered list of name/value pairs: HTTP headers, RPC metadata, Kafka headers.
///
/// An existing entry with the same name (case-insensitively) is replaced, so re-injecting on a retry never
/// sends two conflicting `b3` values.
public struct HeaderInjector: Injector {
    public typealias Carrier = [(String, String)]

    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.removeAll { $0.0.lowercased() == key }
        carrier.append((key, value))
    }
}

/// Reads headers case-insensitively; the first value wins, as the B3 spec asks.
public struct HeaderExtractor: Extractor {
    public typealias Carrier = [(String, String)]

    public init() {}

    public func extract(key: String, from carrier: [(String, String)]) -> String? {
        carrier.first { $0.0.lowercased() == key }?.1
    }
}
