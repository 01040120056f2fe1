/// File labels: the owner's key/value tags, kept with the file (not per version).
enum Migration0004 {
    static let sql = """
        -- A JSON object of string values; FileLabels bounds it far below this, which only stops a bypass.
        ALTER TABLE files ADD COLUMN labels jsonb NOT NULL DEFAULT '{}'
            CHECK (jsonb_typeof(labels) = 'object' AND octet_length(labels::text) <= 65536);
        """
}
