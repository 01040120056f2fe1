/// Encoded spans that leave together. `bytes` holds `[`, then each span followed by one separator byte, so the
/// same buffer is the `POST` body (a JSON array: `,` between spans, `]` after the last) and, with the separators
/// set to newlines, the trace file's JSON lines. Our JSON never contains a raw newline, so lines cannot split.
struct SpanBatch {
    private var bytes: [UInt8] = [UInt8(ascii: "[")]
    /// Offset of the separator after each span.
    private var separators: [Int] = []

    var count: Int { separators.count }

    /// Adds one encoded span (a JSON object).
    mutating func append(_ span: [UInt8]) {
        bytes.append(contentsOf: span)
        separators.append(bytes.count)
        bytes.append(UInt8(ascii: ","))
    }

    /// The spans as one JSON array, what a Zipkin collector takes.
    mutating func withJSONArray<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        setSeparators(between: UInt8(ascii: ","), last: UInt8(ascii: "]"))
        return bytes.withUnsafeBytes(body)
    }

    /// The spans as JSON lines, each ending in a newline.
    mutating func withJSONLines<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        setSeparators(between: UInt8(ascii: "\n"), last: UInt8(ascii: "\n"))
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[1...])) }
    }

    /// Empties the batch, keeping its buffers' capacity for the next spans.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "["))
        separators.removeAll(keepingCapacity: true)
    }

    private mutating func setSeparators(between: UInt8, last: UInt8) {
        for offset in separators { bytes[offset] = between }
        if let final = separators.last { bytes[final] = last }
    }
}
