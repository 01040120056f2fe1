import Glibc

/// Reads the collector's response to one `POST`: its status, and whether the connection may carry the next one.
///
/// Only what framing needs is understood: the status line, `Content-Length`, `Connection` and `Transfer-Encoding`;
/// the body is read and discarded. A malformed or oversized head is `failed` (the connection is dropped and the
/// batch retried): nothing a collector sends can make the reader hold more than its fixed buffer.
struct HTTPResponseReader {
    enum Result: Equatable {
        case response(status: Int, reusable: Bool)
        /// The peer closed or reset the connection before any byte of a response.
        case closedUnanswered
        case failed
    }

    private var buffer = [UInt8](repeating: 0, count: 4096)
    private static let headEnd = Array("\r\n\r\n".utf8)
    private static let maxBodyLength = 1 << 20

    /// `receive` behaves as `recv` into the buffer it is given: a count, 0 at end of stream, -1 with `errno` set.
    mutating func read(_ receive: (UnsafeMutableRawBufferPointer) -> Int) -> Result {
        var received = 0
        var headLength: Int?
        while headLength == nil {
            guard received < buffer.count else { return .failed }
            let count = buffer.withUnsafeMutableBytes {
                receive(UnsafeMutableRawBufferPointer(rebasing: $0[received...]))
            }
            guard count > 0 else {
                return received == 0 && (count == 0 || errno == ECONNRESET) ? .closedUnanswered : .failed
            }
            let searchFrom = max(received - 3, 0)
            received += count
            headLength = Self.find(Self.headEnd, in: buffer[searchFrom..<received]).map { $0 + Self.headEnd.count }
        }
        guard let headLength, var head = Head(buffer[..<headLength]) else {
            return .failed
        }
        // A body delimited by the close, or longer than any answer to a POST of spans: not worth reading.
        guard let bodyLength = head.bodyLength, bodyLength <= Self.maxBodyLength else {
            return .response(status: head.status, reusable: false)
        }
        var remaining = bodyLength - (received - headLength)
        while remaining > 0 {
            let count = buffer.withUnsafeMutableBytes { receive($0) }
            guard count > 0 else {
                head.reusable = false
                break
            }
            remaining -= count
        }
        // More than the body: not a response we understand the end of.
        if remaining < 0 { head.reusable = false }
        return .response(status: head.status, reusable: head.reusable)
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (haystack.startIndex...(haystack.endIndex - needle.count)).first {
            haystack[$0..<($0 + needle.count)].elementsEqual(needle)
        }
    }

    /// The status line and the headers that decide framing, read from the bytes without building strings (a
    /// `String` and Foundation's trimming cost more than the rest of a `POST`).
    private struct Head {
        var status: Int
        var reusable: Bool
        /// Nil when the body runs until the connection closes (or is chunked, which we do not decode).
        var bodyLength: Int?

        init?(_ head: ArraySlice<UInt8>) {
            let lines = head.split(separator: UInt8(ascii: "\n")).map {
                $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0
            }
            guard let statusLine = lines.first, statusLine.starts(with: "HTTP/1.".utf8), statusLine.count >= 12 else {
                return nil
            }
            let start = statusLine.startIndex
            guard statusLine[start + 8] == UInt8(ascii: " "),
                let status = Self.decimal(statusLine[(start + 9)..<(start + 12)]), status >= 100,
                statusLine.count == 12 || statusLine[start + 12] == UInt8(ascii: " ")
            else { return nil }
            self.status = status
            var persistent = statusLine[start + 7] == UInt8(ascii: "1")
            var length: Int?
            var chunked = false
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
                let name = line[..<colon]
                let value = Self.trimmed(line[(colon + 1)...])
                if Self.name(name, is: "content-length") {
                    guard value.count <= 12, let parsed = Self.decimal(value), length == nil || length == parsed else {
                        return nil
                    }
                    length = parsed
                } else if Self.name(name, is: "connection") {
                    for option in value.split(separator: UInt8(ascii: ",")).map(Self.trimmed) {
                        if Self.name(option, is: "close") { persistent = false }
                        if Self.name(option, is: "keep-alive") { persistent = true }
                    }
                } else if Self.name(name, is: "transfer-encoding") {
                    chunked = true
                }
            }
            // 1xx, 204 and 304 have no body whatever the headers say.
            let bodyless = status < 200 || status == 204 || status == 304
            bodyLength = bodyless ? 0 : chunked ? nil : length
            reusable = persistent && bodyLength != nil
        }

        /// ASCII case-insensitive comparison with a lowercase name.
        private static func name(_ bytes: ArraySlice<UInt8>, is lowercase: StaticString) -> Bool {
            guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
            return zip(bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
                .allSatisfy { byte, expected in
                    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == expected : byte == expected
                }
        }

        /// Digits only, nothing else (no sign, no spaces); nil otherwise.
        private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
            guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
            var value = 0
            for byte in bytes {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }

        private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = bytes.firstIndex(where: { !isBlank($0) }),
                let last = bytes.lastIndex(where: { !isBlank($0) })
            else { return bytes[bytes.startIndex..<bytes.startIndex] }
            return bytes[first...last]
        }
    }
}
