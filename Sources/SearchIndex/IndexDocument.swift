/// One searchable file: what the search service feeds the index from Kafka events.
///
/// `name` and `text` are analyzed and ranked (name boosted); `type`, `owner` and `readers` are exact-match filter
/// fields; a document is visible to its owner and to every user listed in `readers` (the ACL). Dates are seconds
/// since the Unix epoch, UTC.
public struct IndexDocument: Sendable, Hashable {
    /// The caller's stable identifier (a file id); adding a document with an existing id replaces it.
    public var id: String
    public var name: String
    public var text: String
    public var type: String
    public var owner: String
    public var readers: [String]
    public var created: Int64
    public var modified: Int64

    public init(
        id: String, name: String, text: String = "", type: String = "", owner: String, readers: [String] = [],
        created: Int64 = 0, modified: Int64 = 0
    ) {
        self.id = id
        self.name = name
        self.text = text
        self.type = type
        self.owner = owner
        self.readers = readers
        self.created = created
        self.modified = modified
    }
}

/// The indexed fields; the raw value is the first byte of every term key, so each field has its own terms.
enum Field: UInt8 {
    case name = 1
    case text = 2
    case type = 3
    case reader = 4
    case owner = 5

    /// Whether postings of this field carry positions (for phrases) and are scored with BM25.
    var isScored: Bool { self == .name || self == .text }
}
