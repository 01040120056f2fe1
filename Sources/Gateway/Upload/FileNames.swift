/// File names as users give them (`X-File-Name`, a multipart `filename`, TUS `filename` metadata): one path
/// component of printable UTF-8. Anything that could climb out of a directory or smuggle a header is 400.
enum FileNames {
    static let maxBytes = 255

    static func check(_ name: String) throws -> String {
        guard !name.isEmpty, !name.allSatisfy(\.isWhitespace) else {
            throw APIError.invalid("the file name must not be empty", code: "invalid_file_name")
        }
        guard name.utf8.count <= maxBytes else {
            throw APIError.invalid("the file name is longer than \(maxBytes) bytes", code: "invalid_file_name")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw APIError.invalid("the file name must not contain control characters", code: "invalid_file_name")
        }
        guard name != ".", name != "..", !name.contains("/"), !name.contains("\\") else {
            throw APIError.invalid("the file name must be a single path component", code: "invalid_file_name")
        }
        return name
    }

    /// `X-File-Name`: percent-encoded UTF-8 (REST.md).
    static func fromHeader(_ value: String?) throws -> String {
        guard let value, !value.isEmpty else {
            throw APIError.invalid("X-File-Name is required (percent-encoded UTF-8)", code: "invalid_file_name")
        }
        guard let decoded = RequestValues.percentDecoded(value) else {
            throw APIError.invalid("X-File-Name is not valid percent-encoded UTF-8", code: "invalid_file_name")
        }
        return try check(decoded)
    }

    /// A declared content type: printable ASCII within the store's 255 bytes; empty means unknown.
    static func contentType(_ value: String?) throws -> String {
        guard let value else { return "application/octet-stream" }
        guard value.utf8.count <= 255, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw APIError.invalid("Content-Type is malformed or too long")
        }
        return value.isEmpty ? "application/octet-stream" : value
    }
}
