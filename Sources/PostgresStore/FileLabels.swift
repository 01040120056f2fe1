import Foundation

/// The owner's key/value tags on a file, checked before they reach Postgres so a bad one is a clear
/// INVALID_ARGUMENT: at most 32; keys of 1 to 63 bytes of ASCII letters, digits, `.`, `_`, `-` and `/`, starting
/// with a letter or digit (as Kubernetes label keys, so they survive URLs and shells); values of up to 256 bytes
/// without control characters.
public enum FileLabels {
    public static let maxCount = 32
    public static let maxKeyBytes = 63
    public static let maxValueBytes = 256

    public static func validate(_ labels: [String: String]) throws {
        guard labels.count <= maxCount else {
            throw PostgresError(.checkViolation, "\(labels.count) labels; at most \(maxCount) are allowed")
        }
        for (key, value) in labels {
            let bytes = Array(key.utf8)
            guard (1...maxKeyBytes).contains(bytes.count), let first = bytes.first, isAlphanumeric(first),
                bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/") })
            else {
                throw PostgresError(.checkViolation, "label key \(String(reflecting: String(decoding: bytes.prefix(80), as: UTF8.self))) must be 1 to "
                    + "\(maxKeyBytes) letters, digits, '.', '_', '-' or '/', starting with a letter or digit")
            }
            guard value.utf8.count <= maxValueBytes else {
                throw PostgresError(.checkViolation, "label \(key) is \(value.utf8.count) bytes; at most \(maxValueBytes) are allowed")
            }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw PostgresError(.checkViolation, "label \(key) contains a control character")
            }
        }
    }

    /// The `jsonb` text Postgres stores (keys sorted, so equal label sets are equal text).
    static func json(_ labels: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(labels), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> [String: String] {
        // Most files have none: no decoder for every row of a listing.
        if json == "{}" { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        } catch {
            throw PostgresError(.invalidEncoding, "stored labels are not a JSON object of strings: \(error)")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
