/// One `Range: bytes=...` request (RFC 9110 §14.1.2) resolved against a size. Several ranges, or a unit other than
/// bytes, are answered with the whole content (servers may ignore Range); an unsatisfiable one is 416.
enum ByteRange: Equatable {
    case whole
    /// Inclusive bounds within the content.
    case partial(first: UInt64, last: UInt64)
    case unsatisfiable

    init(header: String?, size: UInt64) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingPrefix(" ")
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst("bytes=".count)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else {
            self = .whole
            return
        }
        let start = bounds[0].trimmingPrefix(" ")
        let end = bounds[1]
        if start.isEmpty {
            // bytes=-N: the last N bytes.
            guard let suffix = UInt64(end), suffix > 0 else {
                self = end.isEmpty || UInt64(end) == nil ? .whole : .unsatisfiable
                return
            }
            self = size == 0 ? .unsatisfiable : .partial(first: size - min(suffix, size), last: size - 1)
            return
        }
        guard let first = UInt64(start) else {
            self = .whole
            return
        }
        guard first < size else {
            self = .unsatisfiable
            return
        }
        if end.isEmpty {
            self = .partial(first: first, last: size - 1)
        } else if let last = UInt64(end), last >= first {
            self = .partial(first: first, last: min(last, size - 1))
        } else {
            self = .whole
        }
    }
}

/// Strong entity tags: a file version's ETag is its SHA-256 in quotes.
enum EntityTag {
    static func make(sha256 hex: String) -> String { "\"\(hex)\"" }

    /// Whether an `If-None-Match` list names `tag` (weak comparison, RFC 9110 §13.1.2), or is `*`.
    static func matches(ifNoneMatch header: String, _ tag: String) -> Bool {
        let wanted = tag
        return header.split(separator: ",").contains { candidate in
            var value = candidate.trimmingPrefix(" ")
            while value.last == " " { value = value.dropLast() }
            if value == "*" { return true }
            if value.hasPrefix("W/") { value = value.dropFirst(2) }
            return value == wanted
        }
    }
}

/// `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266, RFC 8187).
enum ContentDisposition {
    static func attachment(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != "%"
                ? Character(scalar) : "_"
        })
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    private static func percentEncoded(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
