/// The `grpc-timeout` header: at most 8 ASCII digits and a unit (H, M, S, m, u, n).
enum GRPCTimeout {
    /// Parses a header value; nil when malformed (the caller answers INTERNAL, as grpc-go does).
    static func parse(_ text: Substring) -> Duration? {
        guard let unit = text.last, text.count >= 2, text.count <= 9 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
        switch unit {
        case "H": return .seconds(value * 3600)
        case "M": return .seconds(value * 60)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }

    /// Encodes a timeout in the finest unit whose value fits 8 digits, rounding up so a deadline is
    /// never shortened; non-positive timeouts become `1n` (already expired).
    static func encode(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return "1n" }
        let maxValue: Int64 = 99_999_999
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if !nanos.overflow {
            let total = nanos.partialValue + (attoseconds + 999_999_999) / 1_000_000_000
            for (unit, divisor) in [("n", Int64(1)), ("u", 1_000), ("m", 1_000_000), ("S", 1_000_000_000)] {
                let value = (total + divisor - 1) / divisor
                if value <= maxValue { return "\(value)\(unit)" }
            }
        }
        let minutes = (seconds + 59) / 60
        if minutes <= maxValue { return "\(minutes)M" }
        return "\(min((seconds + 3599) / 3600, maxValue))H"
    }
}
