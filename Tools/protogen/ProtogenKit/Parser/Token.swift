/// One lexical token of a `.proto` file.
///
/// Tokens keep their raw source text and byte range so that option values can be kept exactly as written,
/// and carry the leading comment block so that declarations can pick up their doc comments.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier
        case integer
        case float
        case string
        /// A single punctuation character: `; , . = { } [ ] ( ) < > : - + /`.
        case symbol
        case endOfFile
    }

    var kind: Kind
    /// The token exactly as written (for strings: with quotes and escapes).
    var text: String
    var location: SourceLocation
    /// Byte offsets of the token in the file, for slicing source text spanning several tokens.
    var start: Int
    var end: Int
    /// The comment block directly before this token (no blank line in between), markers stripped.
    var leadingComments: [String]
    /// The decoded bytes of a string literal; empty for other kinds.
    var stringBytes: [UInt8] = []
    /// The value of an integer literal, nil when it does not fit in 64 bits.
    var integerValue: UInt64? = nil

    func isSymbol(_ symbol: Character) -> Bool {
        kind == .symbol && text.first == symbol
    }

    func isIdentifier(_ word: String) -> Bool {
        kind == .identifier && text == word
    }

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .endOfFile: return "end of file"
        case .string: return "string " + text
        default: return "\"" + text + "\""
        }
    }
}
