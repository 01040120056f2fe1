/// Commits look up the owner's live file of the same name (a new version of it, or a new file): without this
/// index that lookup reads every file the owner has, so each upload cost more than the last.
enum Migration0005 {
    static let sql = """
        CREATE INDEX files_live_by_name ON files (owner_id, name) WHERE deleted_at IS NULL;
        """
}
