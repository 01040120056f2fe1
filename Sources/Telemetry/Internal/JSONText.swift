/// Minimal JSON text writing shared by span encoding and log lines.
///
/// Hand-written rather than `JSONEncoder` because both run on every request path and need a fixed key order.
struct JSONText {
    private(set) var text: String
    private var first = true

    init() {
        text = "{"
        text.reserveCapacity(512)
    }

    mutating func field(_ key: String, _ value: String) {
        separator(key)
        Self.appendQuoted(value, to: &text)
    }

    mutating func field(_ key: String, _ value: UInt64) {
        separator(key)
        text += String(value)
    }

    mutating func field(_ key: String, _ value: Bool) {
        separator(key)
        text += value ? "true" : "false"
    }

    /// Inserts already-encoded JSON (an object or array built by another `JSONText`).
    mutating func field(_ key: String, raw: String) {
        separator(key)
        text += raw
    }

    func finished() -> String { text + "}" }

    private mutating func separator(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendQuoted(key, to: &text)
        text += ":"
    }

    /// RFC 8259 string escaping: quotes, backslash and every control character.
    static func appendQuoted(_ value: String, to output: inout String) {
        output += "\""
        // Most values (names, IDs, tags) need no escaping: copied whole rather than scalar by scalar.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
