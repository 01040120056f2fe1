/// The initial schema: users, files and their versions, content-addressed blocks, shares, notifications, jobs,
/// quotas, the transactional outbox, and consumers' processed-event ledger.
///
/// Length limits are CHECK constraints so oversize input is refused by the database too, not only by callers.
/// Enumerations are small integers holding the protobuf enum numbers of common.proto.
enum Migration0001 {
    static let sql = """
        CREATE TABLE users (
            user_id uuid PRIMARY KEY,
            username text NOT NULL UNIQUE CHECK (octet_length(username) BETWEEN 1 AND 256),
            email text NOT NULL DEFAULT '' CHECK (octet_length(email) <= 320),
            display_name text NOT NULL DEFAULT '' CHECK (octet_length(display_name) <= 256),
            password_hash text NOT NULL CHECK (octet_length(password_hash) BETWEEN 1 AND 1024),
            is_admin boolean NOT NULL DEFAULT false,
            notification_sequence bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE files (
            file_id uuid PRIMARY KEY,
            owner_id uuid NOT NULL REFERENCES users (user_id),
            name text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 1024),
            content_type text NOT NULL DEFAULT '' CHECK (octet_length(content_type) <= 255),
            status smallint NOT NULL,
            current_version integer NOT NULL DEFAULT 0,
            detected_type text NOT NULL DEFAULT '' CHECK (octet_length(detected_type) <= 255),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz
        );
        CREATE INDEX files_by_owner ON files (owner_id, created_at, file_id);

        CREATE TABLE versions (
            file_id uuid NOT NULL REFERENCES files (file_id) ON DELETE CASCADE,
            version integer NOT NULL CHECK (version >= 1),
            size bigint NOT NULL CHECK (size >= 0),
            sha256 bytea NOT NULL CHECK (octet_length(sha256) = 32),
            content_type text NOT NULL DEFAULT '' CHECK (octet_length(content_type) <= 255),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (file_id, version)
        );

        CREATE TABLE blocks (
            sha256 bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
            size integer NOT NULL CHECK (size BETWEEN 0 AND 4194304),
            stored_size integer NOT NULL DEFAULT 0,
            compression smallint NOT NULL DEFAULT 0,
            refcount bigint NOT NULL DEFAULT 0 CHECK (refcount >= 0),
            created_at timestamptz NOT NULL DEFAULT now(),
            -- When refcount last fell to zero; garbage collection waits a grace period after it.
            unreferenced_since timestamptz
        );
        CREATE INDEX blocks_unreferenced ON blocks (unreferenced_since) WHERE refcount = 0;

        CREATE TABLE version_blocks (
            file_id uuid NOT NULL,
            version integer NOT NULL,
            ordinal integer NOT NULL CHECK (ordinal >= 0),
            sha256 bytea NOT NULL REFERENCES blocks (sha256),
            byte_offset bigint NOT NULL CHECK (byte_offset >= 0),
            PRIMARY KEY (file_id, version, ordinal),
            FOREIGN KEY (file_id, version) REFERENCES versions (file_id, version) ON DELETE CASCADE
        );
        CREATE INDEX version_blocks_by_block ON version_blocks (sha256);

        CREATE TABLE shares (
            file_id uuid NOT NULL REFERENCES files (file_id) ON DELETE CASCADE,
            user_id uuid NOT NULL REFERENCES users (user_id),
            permission smallint NOT NULL CHECK (permission IN (1, 2)),
            granted_by uuid NOT NULL REFERENCES users (user_id),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (file_id, user_id)
        );
        CREATE INDEX shares_by_user ON shares (user_id, created_at);

        CREATE TABLE notifications (
            notification_id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users (user_id),
            sequence bigint NOT NULL,
            kind smallint NOT NULL,
            file_id uuid,
            title text NOT NULL CHECK (octet_length(title) <= 1024),
            body text NOT NULL CHECK (octet_length(body) <= 16384),
            read boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (user_id, sequence)
        );

        CREATE TABLE jobs (
            job_id uuid PRIMARY KEY,
            file_id uuid NOT NULL REFERENCES files (file_id) ON DELETE CASCADE,
            version integer NOT NULL,
            state smallint NOT NULL,
            progress double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
            stage text NOT NULL DEFAULT '' CHECK (octet_length(stage) <= 64),
            error text NOT NULL DEFAULT '' CHECK (octet_length(error) <= 4096),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX jobs_by_file ON jobs (file_id, version);

        CREATE TABLE quotas (
            user_id uuid PRIMARY KEY REFERENCES users (user_id),
            used_bytes bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
            limit_bytes bigint NOT NULL CHECK (limit_bytes >= 0)
        );

        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            event_id uuid NOT NULL UNIQUE,
            topic text NOT NULL CHECK (octet_length(topic) BETWEEN 1 AND 249),
            message_key text NOT NULL,
            payload bytea NOT NULL,
            b3 text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz
        );
        CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

        -- Wakes the outbox relay at commit time instead of making it poll.
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fileflow_outbox', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

        CREATE TABLE processed_events (
            consumer text NOT NULL,
            event_id text NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        );
        """
}
