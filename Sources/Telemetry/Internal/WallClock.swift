import Glibc

/// The time of day for log lines, formatted by hand: `ts` is written on every line, and `gmtime_r` is far
/// cheaper than a date formatter.
enum WallClock {
    struct Instant: Equatable {
        var seconds: Int
        var nanoseconds: Int

        /// e.g. `2024-05-01T12:34:56.789Z` (UTC, milliseconds).
        var rfc3339: String {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            func padded(_ value: Int32, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2)
                + "T" + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2)
                + "." + padded(Int32(nanoseconds / 1_000_000), 3) + "Z"
        }
    }

    static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(seconds: spec.tv_sec, nanoseconds: spec.tv_nsec)
    }
}
