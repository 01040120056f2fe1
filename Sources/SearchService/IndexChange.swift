import PostgresStore
import SearchIndex

/// What one state read means for the index: the file's document to add (replacing any older one), or its removal
/// when the file is trashed or gone.
struct IndexChange: Sendable, Hashable {
    var fileID: String
    /// nil removes the file from the index.
    var document: IndexDocument?
    /// `files.updated_at` of the state read, when the row still exists: the index's watermark advances with it.
    var changedAtMicros: Int64?

    /// A trashed file leaves the index; a live one is (re)indexed as it is now.
    init(_ record: SearchDocumentRecord) {
        fileID = record.fileID
        changedAtMicros = record.updatedAtMicros
        document = record.deletedAtMicros == nil ? IndexDocument(
            id: record.fileID, name: record.name, text: record.extractedText, type: record.detectedType,
            owner: record.ownerID, readers: record.readerIDs, created: record.createdAtMicros / 1_000_000,
            modified: record.updatedAtMicros / 1_000_000) : nil
    }

    /// The file no longer exists (purged): remove it.
    init(removing fileID: String) {
        self.fileID = fileID
        document = nil
        changedAtMicros = nil
    }
}
