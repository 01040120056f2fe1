/// The `reserved` numbers and names of one message or enum, with their positions for error messages.
struct ReservedDecls {
    var numbers: [(range: ClosedRange<Int32>, location: SourceLocation)] = []
    var names: [(name: String, location: SourceLocation)] = []

    /// Fails when two reserved ranges share a number (protoc rejects that too).
    func checkOverlaps() throws(ProtoSyntaxError) {
        for (index, later) in numbers.enumerated() {
            for earlier in numbers[..<index] where earlier.range.overlaps(later.range) {
                throw ProtoSyntaxError(
                    location: later.location,
                    message: "reserved range \(later.range.describedAsRange) overlaps with the already reserved "
                        + "range \(earlier.range.describedAsRange)"
                )
            }
        }
    }
}

extension ClosedRange<Int32> {
    /// `5` or `5 to 9`, as written in a `reserved` statement.
    var describedAsRange: String {
        lowerBound == upperBound ? "\(lowerBound)" : "\(lowerBound) to \(upperBound)"
    }
}

extension FileParser {
    /// `reserved` followed by numbers and ranges (`2, 9 to 11, 40 to max`) or quoted names (`"foo", "bar"`).
    ///
    /// Messages pass `allowNegative: false` and the largest field number; enums allow any `int32`.
    func parseReserved(
        into reserved: inout ReservedDecls, maxNumber: Int64, allowNegative: Bool
    ) throws(ProtoSyntaxError) {
        advance()
        if current.kind == .string {
            repeat {
                guard current.kind == .string else {
                    throw error("expected a reserved name (a string literal), found \(current.quoted)")
                }
                let token = advance()
                let name = String(decoding: token.stringBytes, as: UTF8.self)
                guard name.isValidIdentifier else {
                    throw error("reserved name \"\(name)\" is not a valid identifier", at: token.location)
                }
                reserved.names.append((name, token.location))
            } while consumeSymbol(",")
        } else if current.kind == .identifier {
            throw error("reserved names must be string literals in proto3 (write \"\(current.text)\")")
        } else {
            let minNumber: Int64 = allowNegative ? Int64(Int32.min) : 1
            repeat {
                let (start, location) = try parseInteger("a reserved number", allowNegative: allowNegative)
                var end = start
                if current.isIdentifier("to") {
                    advance()
                    if current.isIdentifier("max") {
                        advance()
                        end = maxNumber
                    } else {
                        (end, _) = try parseInteger("the end of a reserved range", allowNegative: allowNegative)
                    }
                }
                guard start >= minNumber && end <= maxNumber else {
                    throw error(
                        "reserved number out of range: must be between \(minNumber) and \(maxNumber)", at: location
                    )
                }
                guard start <= end else {
                    throw error("reserved range \(start) to \(end) ends before it starts", at: location)
                }
                reserved.numbers.append((Int32(start)...Int32(end), location))
            } while consumeSymbol(",")
        }
        try expectSymbol(";", "after the reserved statement")
    }
}

extension String {
    /// `[A-Za-z_][A-Za-z0-9_]*`
    var isValidIdentifier: Bool {
        guard let first = utf8.first, !first.isASCIIDigit else { return false }
        return utf8.allSatisfy { $0.isASCIIDigit || $0 == UInt8(ascii: "_") || ($0 | 0x20).isASCIILowercaseLetter }
    }
}

extension UInt8 {
    fileprivate var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isASCIILowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
}
