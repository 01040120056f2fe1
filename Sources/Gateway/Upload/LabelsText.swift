import Foundation
import PostgresStore

/// File labels as clients send them: `X-File-Labels: team=data&env=prod` on `POST /api/v1/files`, or the TUS
/// `labels` metadata entry, as `application/x-www-form-urlencoded` pairs (percent-encoding, `+` for a space), so
/// any value survives a header. Checked against the services' rules here, so a bad label is a 400 before a byte
/// is stored.
enum LabelsText {
    static let maxBytes = 16 << 10

    static func parse(_ text: String?, from field: String) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        guard text.utf8.count <= maxBytes else {
            throw APIError.invalid("\(field) is longer than \(maxBytes) bytes", code: "invalid_labels")
        }
        var labels: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decoded(parts[0]), let value = decoded(parts.count > 1 ? parts[1] : "") else {
                throw APIError.invalid("\(field) is not form-encoded (key=value&...)", code: "invalid_labels")
            }
            guard labels.updateValue(value, forKey: key) == nil else {
                throw APIError.invalid("\(field) names label \(key) twice", code: "invalid_labels")
            }
        }
        do {
            try FileLabels.validate(labels)
        } catch let error as PostgresError {
            throw APIError.invalid("\(field): \(error.message)", code: "invalid_labels")
        }
        return labels
    }

    private static func decoded(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
