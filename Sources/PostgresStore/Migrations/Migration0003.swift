/// Queue depth without a scan: the admin dashboard counts unfinished jobs on every refresh.
enum Migration0003 {
    static let sql = """
        -- Only queued (1) and running (2) jobs are indexed, so it stays as small as the queue however many
        -- finished jobs accumulate.
        CREATE INDEX jobs_unfinished ON jobs (state) WHERE state IN (1, 2);
        """
}
