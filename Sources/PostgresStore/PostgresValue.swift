/// A query parameter, always sent bound (never spliced into SQL text).
///
/// Text goes in PostgreSQL's text format and `bytea` in binary, so arbitrary bytes survive untouched; the server
/// infers each parameter's type from the statement.
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
    case bytea([UInt8])
    case int(Int64)
    case double(Double)
    case bool(Bool)

    /// A nullable text parameter.
    public static func text(_ value: String?) -> PostgresValue { value.map { .text($0) } ?? .null }
    public static func int(_ value: Int) -> PostgresValue { .int(Int64(value)) }

    /// A `text[]` parameter as an array literal, each element quoted so that commas, braces, quotes and
    /// backslashes in it stay data.
    public static func textArray(_ values: [String]) -> PostgresValue {
        let quoted = values.map { value in
            "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}")
    }
}

/// Rows of one result, decoded from PostgreSQL's text format as soon as the result arrives.
///
/// Copying out of the `PGresult` at once lets the C result be freed on the connection's thread and the rows
/// cross into async code as a plain value.
public struct PostgresRows: Sendable {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// Rows the command affected (`INSERT`/`UPDATE`/`DELETE`), from `PQcmdTuples`.
    public let affectedRows: Int

    public var first: PostgresRow? { rows.first }
    public var count: Int { rows.count }
}

/// One row; columns are read by position, typed accessors throw `protocolViolation` on a mismatch.
public struct PostgresRow: Sendable {
    /// Raw text-format bytes per column; `nil` is SQL NULL.
    let fields: [[UInt8]?]

    public func isNull(_ index: Int) -> Bool { fields[index] == nil }

    public func string(_ index: Int) throws -> String {
        guard let bytes = fields[index] else { throw PostgresError(.protocolViolation, "column \(index) is NULL") }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func optionalString(_ index: Int) throws -> String? { isNull(index) ? nil : try string(index) }

    public func int(_ index: Int) throws -> Int64 {
        let text = try string(index)
        guard let value = Int64(text) else { throw PostgresError(.protocolViolation, "column \(index) '\(text)' is not an integer") }
        return value
    }

    public func optionalInt(_ index: Int) throws -> Int64? { isNull(index) ? nil : try int(index) }

    public func double(_ index: Int) throws -> Double {
        let text = try string(index)
        guard let value = Double(text) else { throw PostgresError(.protocolViolation, "column \(index) '\(text)' is not a number") }
        return value
    }

    public func bool(_ index: Int) throws -> Bool {
        switch try string(index) {
        case "t": return true
        case "f": return false
        case let other: throw PostgresError(.protocolViolation, "column \(index) '\(other)' is not a boolean")
        }
    }

    /// A `bytea` column in the server's hex output format (`\x0a1b...`).
    public func bytes(_ index: Int) throws -> [UInt8] {
        guard let text = fields[index] else { throw PostgresError(.protocolViolation, "column \(index) is NULL") }
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
            throw PostgresError(.protocolViolation, "column \(index) is not hex-encoded bytea")
        }
        var out = [UInt8]()
        out.reserveCapacity((text.count - 2) / 2)
        var i = 2
        while i < text.count {
            guard let high = Self.hexValue(text[i]), let low = Self.hexValue(text[i + 1]) else {
                throw PostgresError(.protocolViolation, "column \(index) has a bad hex digit")
            }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
