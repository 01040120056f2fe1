/// Processing output kept for search rebuilds, and the live-notification wake-up.
enum Migration0002 {
    static let sql = """
        -- The current version's extracted text (bounded), so the search index can be rebuilt from Postgres alone.
        ALTER TABLE files ADD COLUMN extracted_text text NOT NULL DEFAULT ''
            CHECK (octet_length(extracted_text) <= 1048576);
        -- Why processing quarantined or failed the file; empty otherwise.
        ALTER TABLE files ADD COLUMN status_reason text NOT NULL DEFAULT ''
            CHECK (octet_length(status_reason) <= 4096);

        -- Wakes every notification service replica's live feed at commit; the payload names the user.
        CREATE FUNCTION notification_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fileflow_notifications', NEW.user_id::text);
            RETURN NULL;
        END $$;
        CREATE TRIGGER notification_inserted AFTER INSERT ON notifications
            FOR EACH ROW EXECUTE FUNCTION notification_notify();
        """
}
