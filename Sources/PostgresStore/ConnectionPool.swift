/// Hands out at most `maxConnections` sessions, queueing callers beyond that in arrival order.
actor ConnectionPool {
    private let configuration: PostgresConfiguration
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<PostgresConnection, Never>] = []

    init(configuration: PostgresConfiguration) {
        self.configuration = configuration
    }

    /// A connection for exclusive use until `release`; the session itself is (re)opened lazily on first use.
    func acquire() async -> PostgresConnection {
        if let connection = idle.popLast() { return connection }
        if opened < configuration.maxConnections {
            opened += 1
            return PostgresConnection(conninfo: configuration.conninfo, id: opened)
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ connection: PostgresConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }
}
