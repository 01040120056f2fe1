internal import FlowMessages
import Foundation

/// RFC 3339 UTC times with milliseconds (`2025-01-31T12:00:00.123Z`), the REST shapes' time format.
enum RFC3339 {
    static func string(_ timestamp: Google_Protobuf_Timestamp) -> String {
        var seconds = time_t(timestamp.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
            Int(timestamp.nanos / 1_000_000))
    }

    /// nil for an unset timestamp (protobuf's zero value).
    static func optional(_ timestamp: Google_Protobuf_Timestamp, isSet: Bool) -> String? {
        isSet ? string(timestamp) : nil
    }
}
