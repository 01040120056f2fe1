/// A query after parsing and analysis: clauses of analyzed tokens plus filters.
///
/// Each token is analyzed once per scored field (`name` keeps the word, `text` may stem it), which is why terms
/// come in pairs. Public so callers (and the brute-force reference in tests) can see how a query was understood.
public struct ParsedQuery: Sendable, Hashable {
    public struct Token: Sendable, Hashable {
        public var name: [UInt8]
        public var text: [UInt8]
    }

    public enum Clause: Sendable, Hashable {
        /// Matches documents with the token in name or text.
        case term(Token)
        /// Matches documents with a term starting with these (unstemmed) bytes in name or text, or with the word
        /// itself in text as the text analyzer stems it: a whole word typed last must find its plural ("reports"
        /// is indexed in text as "report").
        case prefix([UInt8])
        /// Matches documents with the tokens at consecutive positions of name or of text.
        case phrase([Token])
    }

    public var clauses: [Clause]
    public var mode: MatchMode
    public var types: [[UInt8]]
    public var owner: String?
    public var user: String?
    public var modifiedRange: ClosedRange<Int64>
    public var createdRange: ClosedRange<Int64>
}
