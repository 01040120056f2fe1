import Foundation
internal import Hummingbird

/// Path and query values, decoded strictly: bad percent-encoding or invalid UTF-8 is 400, never a guess.
enum RequestValues {
    /// A UUID path parameter in canonical lower-case form; anything else is 400 (it cannot name anything).
    static func id(_ context: GatewayContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let decoded = percentDecoded(raw), decoded.utf8.count == 36,
            let uuid = UUID(uuidString: decoded)
        else { throw APIError.invalid("\(name) must be a UUID", code: "invalid_id") }
        return uuid.uuidString.lowercased()
    }

    /// A path parameter as UTF-8 text.
    static func text(_ context: GatewayContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let decoded = percentDecoded(raw) else {
            throw APIError.invalid("\(name) is not valid percent-encoded UTF-8")
        }
        return decoded
    }

    /// `%XX` and (in queries) `+` decoded, then checked to be valid UTF-8 without NUL; nil otherwise.
    static func percentDecoded(_ raw: some StringProtocol, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace: bytes.append(UInt8(ascii: " "))
            default: bytes.append(byte)
            }
        }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The query string, decoded strictly once; the last occurrence of a repeated key wins.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ request: Request) throws {
        guard let query = request.uri.query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = RequestValues.percentDecoded(parts[0], plusIsSpace: true),
                let value = RequestValues.percentDecoded(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
            else { throw APIError.invalid("the query string is not valid percent-encoded UTF-8") }
            values[key] = value
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    /// An integer within `range`, `default` when absent; 400 otherwise.
    func integer(_ key: String, in range: ClosedRange<Int>, default value: Int) throws -> Int {
        guard let raw = values[key] else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw APIError.invalid("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func boolean(_ key: String) throws -> Bool {
        switch values[key] {
        case nil, "false", "0": false
        case "true", "1": true
        default: throw APIError.invalid("\(key) must be true or false")
        }
    }

    /// A bounded string (at most `maxBytes` of UTF-8).
    func text(_ key: String, maxBytes: Int) throws -> String? {
        guard let value = values[key] else { return nil }
        guard value.utf8.count <= maxBytes else { throw APIError.invalid("\(key) is longer than \(maxBytes) bytes") }
        return value
    }
}
