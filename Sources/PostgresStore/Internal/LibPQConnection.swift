internal import CLibPQ
import Glibc

/// The only code that touches libpq: one `PGconn`, driven synchronously.
///
/// Not thread-safe by design: a `PostgresConnection` owns exactly one of these and calls it only from its own
/// serial dispatch queue, so libpq's blocking calls never run on a NIO event loop or Swift's cooperative pool.
final class LibPQConnection {
    private var conn: OpaquePointer?
    /// Prepared statement names by SQL text; libpq's prepared statements live as long as the session.
    private var prepared: [String: String] = [:]
    private let conninfo: String

    init(conninfo: String) throws {
        self.conninfo = conninfo
        try connect()
    }

    deinit { if let conn { PQfinish(conn) } }

    /// True while libpq believes the session is usable.
    var isHealthy: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Opens (or re-opens) the session; prepared statements are forgotten because the server forgot them too.
    func connect() throws {
        if let conn { PQfinish(conn) }
        conn = nil
        prepared.removeAll()
        guard let fresh = PQconnectdb(conninfo) else { throw PostgresError(.connectionFailed, "out of memory in PQconnectdb") }
        guard PQstatus(fresh) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(fresh))
            PQfinish(fresh)
            throw PostgresError(.connectionFailed, "cannot connect: \(message)")
        }
        // Server NOTICEs (e.g. "relation already exists, skipping") would go to stderr; they carry nothing we act on.
        PQsetNoticeProcessor(fresh, { _, _ in }, nil)
        conn = fresh
    }

    /// Notices a session the server has closed while it sat idle in the pool (e.g. after a restart).
    ///
    /// A closed socket polls readable; `PQconsumeInput` then reads the server's FATAL message or EOF and libpq
    /// marks the connection bad, so the pool can reconnect before handing it out rather than fail a query.
    func detectClosedWhileIdle() -> Bool {
        guard let conn, PQstatus(conn) == CONNECTION_OK else { return true }
        var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 0) > 0 else { return false }
        if PQconsumeInput(conn) == 0 { return true }
        return PQstatus(conn) != CONNECTION_OK
    }

    /// Runs a simple (unparameterised) command string, possibly several statements; returns the last result.
    /// Used only for fixed SQL written in this module (BEGIN, COMMIT, migrations), never for user data.
    func simpleQuery(_ sql: String) throws -> PostgresRows {
        guard let conn else { throw PostgresError(.connectionFailed, "not connected") }
        return try consume(PQexec(conn, sql), conn: conn)
    }

    /// Ends the open transaction; throws when the server rolled it back instead (an earlier error was swallowed).
    func commit() throws {
        guard let conn else { throw PostgresError(.connectionFailed, "not connected") }
        guard let result = PQexec(conn, "COMMIT") else {
            throw PostgresError(.connectionFailed, "no result: \(Self.trimmed(PQerrorMessage(conn)))")
        }
        let tag = String(cString: PQcmdStatus(result))
        _ = try consume(result, conn: conn)
        guard tag == "COMMIT" else {
            throw PostgresError(.server, "the transaction was rolled back at COMMIT because an earlier statement failed")
        }
    }

    /// Runs `sql` as a named prepared statement with every parameter bound.
    func query(_ sql: String, _ parameters: [PostgresValue]) throws -> PostgresRows {
        guard let conn else { throw PostgresError(.connectionFailed, "not connected") }
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "ff\(prepared.count)"
            _ = try consume(PQprepare(conn, name, sql, Int32(parameters.count), nil), conn: conn)
            prepared[sql] = name
        }
        return try withBoundParameters(parameters) { values, lengths, formats in
            try consume(
                PQexecPrepared(conn, name, Int32(parameters.count), values, lengths, formats, 0),
                conn: conn
            )
        }
    }

    /// Waits up to `timeoutMillis` for `NOTIFY`s on channels this session `LISTEN`s to; returns their payloads.
    func waitForNotifications(timeoutMillis: Int32) throws -> [String] {
        guard let conn else { throw PostgresError(.connectionFailed, "not connected") }
        var payloads = drainNotifications(conn)
        if !payloads.isEmpty { return payloads }
        var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, timeoutMillis)
        if ready < 0 && errno != EINTR { throw PostgresError(.connectionFailed, "poll failed: errno \(errno)") }
        if ready > 0 {
            guard PQconsumeInput(conn) == 1 else {
                throw PostgresError(.connectionFailed, "connection lost: \(Self.trimmed(PQerrorMessage(conn)))")
            }
        }
        payloads = drainNotifications(conn)
        return payloads
    }

    private func drainNotifications(_ conn: OpaquePointer) -> [String] {
        var payloads: [String] = []
        while let notify = PQnotifies(conn) {
            payloads.append(String(cString: notify.pointee.extra))
            PQfreemem(notify)
        }
        return payloads
    }

    /// Builds libpq's parallel C arrays for the parameters, valid only inside `body`.
    private func withBoundParameters<R>(
        _ parameters: [PostgresValue],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>, UnsafePointer<Int32>) throws -> R
    ) throws -> R {
        var storage: [[UInt8]?] = []
        storage.reserveCapacity(parameters.count)
        var formats = [Int32](repeating: 0, count: parameters.count)
        for (index, value) in parameters.enumerated() {
            switch value {
            case .null: storage.append(nil)
            case .text(let string):
                if string.utf8.contains(0) {
                    throw PostgresError(
                        .invalidParameter, "text parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold"
                    )
                }
                storage.append(Array(string.utf8) + [0])
            case .bytea(let bytes):
                formats[index] = 1
                storage.append(bytes.isEmpty ? [0] : bytes)
            case .int(let int): storage.append(Array(String(int).utf8) + [0])
            case .double(let double):
                guard double.isFinite else { throw PostgresError(.invalidParameter, "parameter $\(index + 1) is not finite") }
                storage.append(Array("\(double)".utf8) + [0])
            case .bool(let bool): storage.append(Array((bool ? "t" : "f").utf8) + [0])
            }
        }
        var lengths = [Int32](repeating: 0, count: parameters.count)
        for (index, value) in parameters.enumerated() {
            if case .bytea(let bytes) = value { lengths[index] = Int32(bytes.count) }
        }
        return try withPointers(storage[...]) { pointers in
            try body(pointers, lengths, formats)
        }
    }

    /// Pins each buffer in turn (recursion keeps every pointer valid at once) and hands over the pointer array.
    private func withPointers<R>(
        _ buffers: ArraySlice<[UInt8]?>,
        collected: [UnsafePointer<CChar>?] = [],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R
    ) throws -> R {
        guard let head = buffers.first else {
            return try collected.withUnsafeBufferPointer { pointers in
                try body(pointers.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            }
        }
        guard let bytes = head else { return try withPointers(buffers.dropFirst(), collected: collected + [nil], body) }
        return try bytes.withUnsafeBufferPointer { raw in
            let pointer = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
            return try withPointers(buffers.dropFirst(), collected: collected + [pointer], body)
        }
    }

    /// Turns a `PGresult` into rows or a typed error, and frees it.
    private func consume(_ result: OpaquePointer?, conn: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(.connectionFailed, "no result: \(Self.trimmed(PQerrorMessage(conn)))")
        }
        defer { PQclear(result) }
        return try rowsOrError(result, conn: conn)
    }

    private func rowsOrError(_ result: OpaquePointer, conn: OpaquePointer) throws -> PostgresRows {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return rows(of: result)
        default:
            let sqlState = field(result, "C")
            let message = field(result, "M") ?? Self.trimmed(PQerrorMessage(conn))
            if PQstatus(conn) != CONNECTION_OK {
                throw PostgresError(.connectionFailed, "connection lost: \(message)", sqlState: sqlState)
            }
            guard let sqlState else { throw PostgresError(.server, message) }
            var text = message
            if let detail = field(result, "D") { text += " — \(detail)" }
            throw PostgresError(
                PostgresError.code(forSQLState: sqlState), text, sqlState: sqlState, constraint: field(result, "n")
            )
        }
    }

    private func rows(of result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<Int32(rowCount) {
            var fields: [[UInt8]?] = []
            fields.reserveCapacity(columnCount)
            for c in 0..<Int32(columnCount) {
                if PQgetisnull(result, r, c) == 1 {
                    fields.append(nil)
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    let base = UnsafeRawPointer(PQgetvalue(result, r, c)!).assumingMemoryBound(to: UInt8.self)
                    fields.append(Array(UnsafeBufferPointer(start: base, count: length)))
                }
            }
            rows.append(PostgresRow(fields: fields))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: value)
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown libpq error" }
        var text = String(cString: message)
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
