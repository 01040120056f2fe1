import PostgresStore

/// What Postgres says now about an event's file, as far as the text and the recipients of notifications need it.
struct FileFacts: Sendable, Hashable {
    var name: String
    var ownerID: String
    var ownerUsername: String
    var trashed: Bool
    /// Users holding a share of the file now.
    var sharedWith: Set<String>

    init(name: String, ownerID: String, ownerUsername: String, trashed: Bool, sharedWith: Set<String>) {
        self.name = name
        self.ownerID = ownerID
        self.ownerUsername = ownerUsername
        self.trashed = trashed
        self.sharedWith = sharedWith
    }

    init(_ file: FileRecord, shares: [ShareRecord]) {
        self.init(name: file.name, ownerID: file.ownerID, ownerUsername: file.ownerUsername,
                  trashed: file.deletedAtMicros != nil, sharedWith: Set(shares.map(\.userID)))
    }
}
