import Foundation

/// One resumable upload as staged on disk (`<id>.json` beside `<id>.data`): who owns it, how long it is, how much
/// has been durably received, what the client said about it, and the file it became once committed.
struct TusUpload: Codable, Sendable {
    var id: String
    var ownerID: String
    var length: UInt64
    /// Bytes durably stored (data fsync'd before this is written).
    var offset: UInt64
    /// `Upload-Metadata` as received, echoed on HEAD.
    var metadata: String
    var fileName: String
    var contentType: String
    var createdAt: Double
    var expiresAt: Double
    /// Set once the content was committed as a file.
    var fileID: String?
    var jobID: String?

    var isComplete: Bool { offset == length }

    /// `Upload-Expires` (RFC 9110 IMF-fixdate).
    var expiresHeader: String { HTTPDate.string(Date(timeIntervalSince1970: expiresAt)) }
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs (value optional); keys unique, without spaces or
/// commas. Malformed metadata is 400, since the values become a file name and type.
struct TusMetadata {
    static let maxHeaderBytes = 4096
    let values: [String: [UInt8]]

    init(_ header: String?) throws {
        guard let header, !header.isEmpty else {
            values = [:]
            return
        }
        guard header.utf8.count <= Self.maxHeaderBytes else {
            throw APIError.invalid("Upload-Metadata is longer than \(Self.maxHeaderBytes) bytes")
        }
        var values: [String: [UInt8]] = [:]
        for pair in header.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(parts.count), let key = parts.first, values[String(key)] == nil,
                key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
            else { throw APIError.invalid("Upload-Metadata is malformed") }
            guard parts.count == 2 else {
                values[String(key)] = []
                continue
            }
            guard let decoded = Data(base64Encoded: String(parts[1])) else {
                throw APIError.invalid("Upload-Metadata value of \(key) is not base64")
            }
            values[String(key)] = Array(decoded)
        }
        self.values = values
    }

    /// A value as UTF-8 text; 400 when it is not.
    func text(_ key: String) throws -> String? {
        guard let bytes = values[key] else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            throw APIError.invalid("Upload-Metadata \(key) is not UTF-8 text", code: "invalid_file_name")
        }
        return text
    }
}

/// RFC 9110 IMF-fixdate, e.g. `Wed, 25 Jun 2014 16:00:00 GMT`.
enum HTTPDate {
    static func string(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", days[Int(parts.tm_wday)], Int(parts.tm_mday),
            months[Int(parts.tm_mon)], Int(parts.tm_year) + 1900, Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec))
    }
}
