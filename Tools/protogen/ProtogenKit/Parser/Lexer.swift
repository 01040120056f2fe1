/// Splits a `.proto` file into tokens, keeping comment blocks for doc comments.
///
/// Works on raw bytes so that any input, including invalid UTF-8 or binary garbage, ends in either tokens or a
/// `ProtoSyntaxError` with a position, never a crash. Columns count Unicode scalars (not bytes), 1-based, so
/// they match what an editor shows for lines with non-ASCII text in strings or comments.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var offset = 0
    private var line = 1
    private var column = 1

    /// Lines of the comment block seen since the last token, and the line on which it ended.
    private var pendingComments: [String] = []
    private var pendingCommentsEndLine = 0
    /// The line on which the previous token ended, so a comment on that same line counts as trailing.
    private var previousTokenLine = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Tokenizes the whole input; the last token is always `.endOfFile`.
    static func tokenize(_ bytes: [UInt8], file: String) throws(ProtoSyntaxError) -> [Token] {
        var lexer = Lexer(bytes: bytes, file: file)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    /// Moves past one byte, keeping line and column current.
    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private func error(_ message: String, at location: SourceLocation) -> ProtoSyntaxError {
        ProtoSyntaxError(location: location, message: message)
    }

    private mutating func next() throws(ProtoSyntaxError) -> Token {
        try skipWhitespaceAndComments()
        let startLocation = location
        let start = offset
        guard let byte = peek() else {
            return makeToken(.endOfFile, start: start, location: startLocation)
        }
        var token: Token
        if byte.isIdentifierStart {
            while let next = peek(), next.isIdentifierPart { advance() }
            token = makeToken(.identifier, start: start, location: startLocation)
        } else if byte.isDigit || (byte == UInt8(ascii: ".") && peek(1)?.isDigit == true) {
            token = try lexNumber(start: start, location: startLocation)
        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            token = try lexString(quote: byte, start: start, location: startLocation)
        } else if Lexer.symbols.contains(byte) {
            advance()
            token = makeToken(.symbol, start: start, location: startLocation)
        } else {
            throw error("unexpected character \(Lexer.describe(byte))", at: startLocation)
        }
        previousTokenLine = line
        return token
    }

    private static let symbols: Set<UInt8> = Set(";,.={}[]()<>:-+/".utf8)

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    /// Builds a token ending at the current offset and hands it the pending comment block if it is adjacent.
    private mutating func makeToken(_ kind: Token.Kind, start: Int, location: SourceLocation) -> Token {
        var comments: [String] = []
        if !pendingComments.isEmpty && location.line <= pendingCommentsEndLine + 1 {
            comments = pendingComments
        }
        pendingComments = []
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        return Token(kind: kind, text: text, location: location, start: start, end: offset, leadingComments: comments)
    }

    private mutating func skipWhitespaceAndComments() throws(ProtoSyntaxError) {
        while let byte = peek() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") || byte == 0x0B || byte == 0x0C
            {
                advance()
            } else if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                let startLine = line
                let start = offset + 2
                while let next = peek(), next != UInt8(ascii: "\n") { advance() }
                recordComment([Lexer.stripLineComment(bytes[start..<offset])], startLine: startLine)
            } else if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let startLocation = location
                advance()
                advance()
                let start = offset
                while true {
                    guard let next = peek() else {
                        throw error("unterminated block comment", at: startLocation)
                    }
                    if next == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") { break }
                    advance()
                }
                let body = bytes[start..<offset]
                advance()
                advance()
                recordComment(Lexer.stripBlockComment(body), startLine: startLocation.line)
            } else {
                return
            }
        }
    }

    /// Adds a comment to the pending block: a blank line before it starts a new block, and a comment on the
    /// line of the previous token trails that token instead of leading the next one.
    private mutating func recordComment(_ lines: [String], startLine: Int) {
        if previousTokenLine != 0 && startLine == previousTokenLine {
            return
        }
        if !pendingComments.isEmpty && startLine > pendingCommentsEndLine + 1 {
            pendingComments = []
        }
        pendingComments += lines
        pendingCommentsEndLine = line
    }

    /// The text after `//`, keeping its leading space as protoc does (generators strip one space themselves).
    private static func stripLineComment(_ body: ArraySlice<UInt8>) -> String {
        String(Substring(String(decoding: body, as: UTF8.self)).trimmingTrailingWhitespace())
    }

    /// The lines between `/*` and `*/`, without a leading `*` on continuation lines (as protoc does), and without
    /// blank lines at either end.
    private static func stripBlockComment(_ body: ArraySlice<UInt8>) -> [String] {
        let rawLines = String(decoding: body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var lines = rawLines.enumerated().map { index, line -> String in
            let indented = line.drop { $0 == " " || $0 == "\t" }
            let text = index > 0 && indented.first == "*" ? indented.dropFirst() : line
            return String(text.trimmingTrailingWhitespace())
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

extension Lexer {
    /// Integers (decimal, `0x` hex, `0` octal) and floats (`1.5`, `.5`, `1e9`, `2.5E-3`).
    private mutating func lexNumber(start: Int, location: SourceLocation) throws(ProtoSyntaxError) -> Token {
        var isFloat = false
        if peek() == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X")) {
            advance()
            advance()
            guard peek()?.isHexDigit == true else {
                throw error("\"0x\" must be followed by hex digits", at: location)
            }
            while let next = peek(), next.isHexDigit { advance() }
        } else {
            while let next = peek(), next.isDigit { advance() }
            if peek() == UInt8(ascii: ".") {
                isFloat = true
                advance()
                while let next = peek(), next.isDigit { advance() }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                isFloat = true
                advance()
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { advance() }
                guard peek()?.isDigit == true else {
                    throw error("\"e\" must be followed by an exponent", at: location)
                }
                while let next = peek(), next.isDigit { advance() }
            }
        }
        if let next = peek(), next.isIdentifierPart || next == UInt8(ascii: ".") {
            throw error("need space between number and \(Lexer.describe(next))", at: self.location)
        }
        var token = makeToken(isFloat ? .float : .integer, start: start, location: location)
        if !isFloat {
            token.integerValue = try Lexer.integerValue(token.text, location: location)
        }
        return token
    }

    /// The value of an integer literal; nil when it overflows 64 bits (the parser reports the range error).
    private static func integerValue(_ text: String, location: SourceLocation) throws(ProtoSyntaxError) -> UInt64? {
        var digits = Substring(text)
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        var value: UInt64 = 0
        var overflow = false
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else {
                throw ProtoSyntaxError(location: location, message: "invalid digit \"\(character)\" in \(text)")
            }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflowB) = shifted.addingReportingOverflow(UInt64(digit))
            overflow = overflow || overflowA || overflowB
            value = sum
        }
        return overflow ? nil : value
    }

    /// A single- or double-quoted string with C escapes (`\n`, `\x41`, `\101`, `\u00e9`, `\U0001F600`).
    private mutating func lexString(
        quote: UInt8, start: Int, location: SourceLocation
    ) throws(ProtoSyntaxError) -> Token {
        advance()
        var decoded: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string literal", at: location) }
            if byte == quote {
                advance()
                break
            }
            if byte == UInt8(ascii: "\n") {
                throw error("string literals cannot cross line boundaries", at: location)
            }
            if byte == UInt8(ascii: "\\") {
                try lexEscape(into: &decoded)
            } else {
                decoded.append(byte)
                advance()
            }
        }
        var token = makeToken(.string, start: start, location: location)
        token.stringBytes = decoded
        return token
    }

    private mutating func lexEscape(into decoded: inout [UInt8]) throws(ProtoSyntaxError) {
        let escapeLocation = location
        advance()
        guard let byte = peek() else { throw error("unterminated string literal", at: escapeLocation) }
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B, UInt8(ascii: "\\"): 0x5C,
            UInt8(ascii: "'"): 0x27, UInt8(ascii: "\""): 0x22, UInt8(ascii: "?"): 0x3F,
        ]
        if let value = simple[byte] {
            advance()
            decoded.append(value)
        } else if byte.isOctalDigit {
            var value = 0
            for _ in 0..<3 {
                guard let digit = peek(), digit.isOctalDigit else { break }
                value = value * 8 + Int(digit - UInt8(ascii: "0"))
                advance()
            }
            guard value <= 0xFF else { throw error("octal escape out of range", at: escapeLocation) }
            decoded.append(UInt8(value))
        } else if byte == UInt8(ascii: "x") || byte == UInt8(ascii: "X") {
            advance()
            let value = readHex(maxDigits: 2)
            guard let value else { throw error("\"\\x\" must be followed by hex digits", at: escapeLocation) }
            decoded.append(UInt8(value))
        } else if byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U") {
            advance()
            let digits = byte == UInt8(ascii: "u") ? 4 : 8
            guard let value = readHex(maxDigits: digits, exactly: true), let scalar = Unicode.Scalar(value) else {
                throw error("invalid Unicode escape: expected \(digits) hex digits of a code point", at: escapeLocation)
            }
            decoded += Array(String(Character(scalar)).utf8)
        } else {
            throw error("invalid escape sequence \"\\\(Character(Unicode.Scalar(byte)))\"", at: escapeLocation)
        }
    }

    private mutating func readHex(maxDigits: Int, exactly: Bool = false) -> UInt32? {
        var value: UInt32 = 0
        var count = 0
        while count < maxDigits, let digit = peek(), digit.isHexDigit {
            value = value * 16 + UInt32(Character(Unicode.Scalar(digit)).hexDigitValue ?? 0)
            advance()
            count += 1
        }
        if count == 0 || (exactly && count != maxDigits) { return nil }
        return value
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isOctalDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "7") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
    fileprivate var isIdentifierStart: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z")) || self == UInt8(ascii: "_")
    }
    fileprivate var isIdentifierPart: Bool { isIdentifierStart || isDigit }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        var text = self
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return text
    }
}
