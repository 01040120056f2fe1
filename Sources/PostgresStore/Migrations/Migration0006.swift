/// The live-by-name index again, now also in the lookup's order (oldest first): a commit asks for the first live
/// file of that owner and name, and with only (owner, name) the planner may walk the owner's files by creation
/// time instead, filtering names — it did so on a young table whose statistics said the owner had a few files,
/// reading every file the owner has on each upload.
enum Migration0006 {
    static let sql = """
        CREATE INDEX files_live_by_name_created ON files (owner_id, name, created_at, file_id) WHERE deleted_at IS NULL;
        DROP INDEX files_live_by_name;
        """
}
