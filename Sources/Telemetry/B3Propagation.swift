/// Parses and writes B3 headers (../shared/zipkin/b3-propagation.md).
///
/// Malformed input of any kind (wrong length, non-hex or uppercase, zero IDs, unknown sampling flag, extra fields)
/// makes the whole header count as absent: the receiver starts a new trace rather than joining a corrupt one.
public enum B3Propagation {
    public static let singleHeader = "b3"
    public static let traceIDHeader = "x-b3-traceid"
    public static let spanIDHeader = "x-b3-spanid"
    public static let parentSpanIDHeader = "x-b3-parentspanid"
    public static let sampledHeader = "x-b3-sampled"
    public static let flagsHeader = "x-b3-flags"

    /// Longest `b3` value we look at: 32 + 1 + 16 + 1 + 1 + 1 + 16.
    static let maxSingleLength = 68

    /// Encodes `{traceId}-{spanId}-{sampling}-{parentSpanId}`; deferred sampling omits the flag.
    public static func encodeSingle(_ context: B3Context) -> String {
        var value = "\(context.traceID)-\(context.spanID)"
        if let flag = flag(for: context.sampling) { value += "-" + flag }
        if let parent = context.parentSpanID {
            if context.sampling == .deferred { return value }  // the parent field needs the sampling field
            value += "-\(parent)"
        }
        return value
    }

    static func flag(for sampling: B3Context.Sampling) -> String? {
        switch sampling {
        case .accept: "1"
        case .deny: "0"
        case .debug: "d"
        case .deferred: nil
        }
    }

    /// Decodes a `b3` single-header value, or nil when it is malformed.
    static func decodeSingle(_ raw: String) -> B3Extracted? {
        guard raw.utf8.count <= maxSingleLength else { return nil }
        let fields = raw.split(separator: "-", omittingEmptySubsequences: false)
        if fields.count == 1 {
            guard let sampling = singleSampling(fields[0]) else { return nil }
            return .samplingOnly(sampling)
        }
        guard fields.count <= 4, let traceID = TraceID(hex: fields[0]), let spanID = SpanID(hex: fields[1]) else {
            return nil
        }
        var sampling = B3Context.Sampling.deferred
        if fields.count >= 3 {
            guard let parsed = singleSampling(fields[2]) else { return nil }
            sampling = parsed
        }
        var parent: SpanID?
        if fields.count == 4 {
            guard let parsed = SpanID(hex: fields[3]) else { return nil }
            parent = parsed
        }
        return .context(B3Context(traceID: traceID, spanID: spanID, parentSpanID: parent, sampling: sampling))
    }

    private static func singleSampling(_ field: Substring) -> B3Context.Sampling? {
        switch field {
        case "1": .accept
        case "0": .deny
        case "d": .debug
        default: nil
        }
    }

    /// Decodes the `X-B3-*` multi-header form; `lookup` returns the first value of a lowercase header name.
    static func decodeMulti(_ lookup: (String) -> String?) -> B3Extracted? {
        var sampling = B3Context.Sampling.deferred
        if lookup(flagsHeader) == "1" {
            sampling = .debug
        } else if let sampled = lookup(sampledHeader) {
            switch sampled {
            case "1", "true": sampling = .accept
            case "0", "false": sampling = .deny
            default: return nil
            }
        }
        let rawTrace = lookup(traceIDHeader)
        let rawSpan = lookup(spanIDHeader)
        if rawTrace == nil && rawSpan == nil {
            return sampling == .deferred ? nil : .samplingOnly(sampling)
        }
        guard let rawTrace, let rawSpan, let traceID = TraceID(hex: Substring(rawTrace)),
            let spanID = SpanID(hex: Substring(rawSpan))
        else { return nil }
        var parent: SpanID?
        if let rawParent = lookup(parentSpanIDHeader) {
            guard let parsed = SpanID(hex: Substring(rawParent)) else { return nil }
            parent = parsed
        }
        return .context(B3Context(traceID: traceID, spanID: spanID, parentSpanID: parent, sampling: sampling))
    }

    /// The single header takes precedence (spec); a malformed `b3` falls back to well-formed `X-B3-*`.
    static func decode(_ lookup: (String) -> String?) -> B3Extracted? {
        if let single = lookup(singleHeader), let decoded = decodeSingle(single) { return decoded }
        return decodeMulti(lookup)
    }
}
