public import MeshRPC
public import Tracing

/// Writes trace headers into RPC metadata; an existing value of the key is replaced, so a retried call never
/// carries two conflicting `b3` entries.
public struct MetadataInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.replace(key, .string(value))
    }
}

/// Reads trace headers from RPC metadata (keys are lowercase on the wire; the first value wins, as B3 asks).
public struct MetadataExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: Metadata) -> String? {
        carrier.first(key)
    }
}
