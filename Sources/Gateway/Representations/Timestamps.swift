internal import FlowMessages
import Foundation

/// RFC 3339 UTC times with milliseconds (`2025-01-31T12:00:00.123Z`), the REST shapes' time format.
enum RFC3339 {
    /// Written digit by digit: every file of every listing has three of these, and `String(format:)` made them a
    /// twentieth of the gateway's CPU. Years outside 0000...9999 (not valid protobuf timestamps) are clamped.
    static func string(_ timestamp: Google_Protobuf_Timestamp) -> String {
        var seconds = time_t(timestamp.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var end = 0
            func put(_ value: Int, digits: Int, then separator: Unicode.Scalar) {
                var value = min(max(value, 0), [0, 9, 99, 999, 9_999][digits])
                for position in stride(from: end + digits - 1, through: end, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[end + digits] = UInt8(ascii: separator)
                end += digits + 1
            }
            put(Int(parts.tm_year) + 1900, digits: 4, then: "-")
            put(Int(parts.tm_mon) + 1, digits: 2, then: "-")
            put(Int(parts.tm_mday), digits: 2, then: "T")
            put(Int(parts.tm_hour), digits: 2, then: ":")
            put(Int(parts.tm_min), digits: 2, then: ":")
            put(Int(parts.tm_sec), digits: 2, then: ".")
            put(Int(timestamp.nanos / 1_000_000), digits: 3, then: "Z")
            return end
        }
    }

    /// nil for an unset timestamp (protobuf's zero value).
    static func optional(_ timestamp: Google_Protobuf_Timestamp, isSet: Bool) -> String? {
        isSet ? string(timestamp) : nil
    }
}
