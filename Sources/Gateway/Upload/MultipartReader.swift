import Foundation
internal import Hummingbird

/// Reads the `file` part of a `multipart/form-data` body (RFC 7578) while it streams: part headers are parsed
/// from a bounded buffer, content is handed on as it arrives, holding back only the bytes that might begin the
/// next boundary. Other parts before the file are skipped without being kept.
struct MultipartReader {
    static let maxHeaderBytes = 8 << 10
    static let maxSkippedParts = 16

    struct FilePart {
        var filename: String
        var contentType: String?
    }

    private var iterator: RequestBody.AsyncIterator
    /// Bytes read but not yet consumed; starts with CRLF so the first boundary looks like every other one.
    private var buffer: [UInt8] = Array("\r\n".utf8)
    private var ended = false
    private let delimiter: [UInt8]

    init(body: RequestBody, boundary: String) {
        iterator = body.makeAsyncIterator()
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary parameter of a `multipart/form-data` content type; nil for any other type.
    static func boundary(contentType: String) throws -> String? {
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data" else { return nil }
        guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count),
            boundary.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 || $0 == " " })
        else { throw APIError.invalid("multipart/form-data needs a boundary of 1 to 70 characters", code: "invalid_multipart") }
        return boundary
    }

    /// Skips to the part named `file` and returns its file name and type, leaving the reader at its content.
    mutating func openFilePart() async throws -> FilePart {
        try await skipTo(delimiter)
        for _ in 0...Self.maxSkippedParts {
            guard try await startPart() else { break }
            let headers = try await readHeaders()
            let disposition = HeaderParameters(headers["content-disposition"] ?? "")
            if disposition.value.lowercased() == "form-data", disposition["name"] == "file" {
                guard let filename = disposition.filename else {
                    throw APIError.invalid("the file part has no filename", code: "invalid_multipart")
                }
                return FilePart(filename: filename, contentType: headers["content-type"])
            }
            try await streamContent { _ in }
        }
        throw APIError.invalid("the form has no part named file", code: "invalid_multipart")
    }

    /// Hands on the current part's content up to its closing boundary.
    mutating func streamContent(_ emit: (ArraySlice<UInt8>) async throws -> Void) async throws {
        while true {
            if let end = Self.index(of: delimiter, in: buffer) {
                if end > 0 { try await emit(buffer[..<end]) }
                buffer.removeFirst(end + delimiter.count)
                return
            }
            let safe = buffer.count - (delimiter.count - 1)
            if safe > 0 {
                try await emit(buffer[..<safe])
                buffer.removeFirst(safe)
            }
            guard try await fill() else { throw Self.truncated }
        }
    }

    /// After a boundary: true when a part follows, false at the closing `--`.
    private mutating func startPart() async throws -> Bool {
        while buffer.count < 2 {
            guard try await fill() else { throw Self.truncated }
        }
        if buffer[0] == UInt8(ascii: "-") && buffer[1] == UInt8(ascii: "-") { return false }
        try await skipTo(Array("\r\n".utf8), limit: 256)
        return true
    }

    /// Part headers up to the blank line, names lower-cased; values must be UTF-8.
    private mutating func readHeaders() async throws -> [String: String] {
        let end = Array("\r\n\r\n".utf8)
        var headers: [String: String] = [:]
        // A part without headers starts straight with the blank line's second CRLF.
        if buffer.starts(with: Array("\r\n".utf8)) {
            buffer.removeFirst(2)
            return headers
        }
        while Self.index(of: end, in: buffer) == nil {
            guard buffer.count <= Self.maxHeaderBytes else {
                throw APIError.invalid("multipart part headers are too long", code: "invalid_multipart")
            }
            guard try await fill() else { throw Self.truncated }
        }
        let stop = Self.index(of: end, in: buffer)!
        guard stop <= Self.maxHeaderBytes, let text = String(validating: buffer[..<stop], as: UTF8.self) else {
            throw APIError.invalid("multipart part headers are malformed", code: "invalid_multipart")
        }
        buffer.removeFirst(stop + end.count)
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// Consumes through the next `pattern` (the preamble before the first boundary, the rest of a boundary line).
    private mutating func skipTo(_ pattern: [UInt8], limit: Int = 64 << 10) async throws {
        var skipped = 0
        while true {
            if let found = Self.index(of: pattern, in: buffer) {
                buffer.removeFirst(found + pattern.count)
                return
            }
            let drop = max(0, buffer.count - (pattern.count - 1))
            skipped += drop
            buffer.removeFirst(drop)
            guard skipped <= limit else { throw APIError.invalid("no multipart boundary found", code: "invalid_multipart") }
            guard try await fill() else { throw Self.truncated }
        }
    }

    private mutating func fill() async throws -> Bool {
        guard !ended, let next = try await iterator.next() else {
            ended = true
            return false
        }
        buffer.append(contentsOf: next.readableBytesView)
        return true
    }

    private static func index(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count, let first = pattern.first else { return nil }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first && bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private static let truncated = APIError.invalid(
        "the multipart body ended before its closing boundary", code: "invalid_multipart")
}

/// A header value with `; name=value` parameters (quoted or not), as in Content-Type and Content-Disposition.
struct HeaderParameters {
    let value: String
    private var parameters: [String: String] = [:]

    init(_ header: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        value = parts[0].trimmingCharacters(in: .whitespaces)
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            parameters[part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] =
                part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
    }

    subscript(_ name: String) -> String? { parameters[name] }

    /// `filename*` (RFC 8187, UTF-8 percent-encoded) when present, else `filename`.
    var filename: String? {
        if let extended = parameters["filename*"], extended.lowercased().hasPrefix("utf-8''") {
            return RequestValues.percentDecoded(extended.dropFirst("utf-8''".count))
        }
        return parameters["filename"]
    }
}
