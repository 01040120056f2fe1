/// How the words of a query combine.
public enum MatchMode: Sendable, Hashable {
    /// Every clause must match (the default, like web search).
    case all
    /// At least one clause must match; more matches rank higher.
    case any
}

/// One search: the query text plus structured filters, the caller's identity for the ACL, and a page.
///
/// Query syntax: words (AND by default; a bare `OR` between words switches to any-match), `"quoted phrases"`,
/// `prefix*`, and filters `type:pdf`, `owner:alice`, `after:2024-01-31`, `before:2024-12-31` (modification date,
/// UTC, inclusive bounds at day granularity).
public struct SearchRequest: Sendable, Hashable {
    public var query: String
    /// Only documents this user owns or is a reader of are returned; nil is for trusted internal callers only.
    public var user: String?
    public var mode: MatchMode
    /// Treats the last word as a prefix when the query does not end in a space: search as you type.
    public var prefixLastToken: Bool
    public var types: [String]
    public var owner: String?
    /// Inclusive bounds on `IndexDocument.modified` / `created`, in seconds since the epoch.
    public var modifiedAfter: Int64?
    public var modifiedBefore: Int64?
    public var createdAfter: Int64?
    public var createdBefore: Int64?
    public var offset: Int
    public var limit: Int

    public init(
        query: String, user: String?, mode: MatchMode = .all, prefixLastToken: Bool = false, types: [String] = [],
        owner: String? = nil, modifiedAfter: Int64? = nil, modifiedBefore: Int64? = nil,
        createdAfter: Int64? = nil, createdBefore: Int64? = nil, offset: Int = 0, limit: Int = 10
    ) {
        self.query = query
        self.user = user
        self.mode = mode
        self.prefixLastToken = prefixLastToken
        self.types = types
        self.owner = owner
        self.modifiedAfter = modifiedAfter
        self.modifiedBefore = modifiedBefore
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.offset = offset
        self.limit = limit
    }
}

/// One result: the document id and its BM25 score.
public struct SearchHit: Sendable, Hashable {
    public var id: String
    public var score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}
