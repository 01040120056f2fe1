import Foundation
import PostgresStore
import Synchronization
import Testing

@Suite("PostgresStore against a live server", .enabled(if: TestEnvironment.postgresURL != nil))
struct PostgresStoreTests {
    @Test("migrations are idempotent and serialised across concurrent migrators")
    func migrationsAreIdempotent() async throws {
        let admin = PostgresDatabase(configuration: PostgresConfiguration(url: TestEnvironment.postgresURL!))
        let name = "ff_migrate_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.query("CREATE DATABASE \(name)")
        let base = TestEnvironment.postgresURL!
        let url = String(base[..<base.lastIndex(of: "/")!]) + "/\(name)"
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let database = PostgresDatabase(configuration: PostgresConfiguration(url: url, maxConnections: 1))
                    return try await MigrationRunner(database: database).migrate()
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(results.filter { !$0.isEmpty } == [Migration.all.map(\.version)])
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: url))
        #expect(try await MigrationRunner(database: database).migrate() == [])
        #expect(try await MigrationRunner(database: database).appliedVersions() == Migration.all.map(\.version))
    }

    @Test("every table is written and read back")
    func everyTable() async throws {
        let store = try await TestEnvironment.store()
        let alice = try await store.createUser(username: "alice-\(newUUID())", passwordHash: "$argon2id$x", email: "a@x.org")
        let bob = try await store.createUser(username: "bob-\(newUUID())", passwordHash: "h", displayName: "Bob")
        #expect(try await store.user(id: alice.userID) == alice)
        #expect(try await store.user(username: bob.username)?.displayName == "Bob")
        #expect(try await store.updateUser(id: bob.userID, displayName: "Robert")?.displayName == "Robert")

        #expect(try await store.setQuota(userID: alice.userID, limitBytes: 10_000_000).limitBytes == 10_000_000)
        let block = BlockRecord(sha256: Array(repeating: 7, count: 32), size: 4, offset: 0)
        let block2 = BlockRecord(sha256: Array(repeating: 9, count: 32), size: 6, offset: 4)
        let fileID = newUUID()
        let event = OutboxMessage(eventID: newUUID(), topic: "file-uploads", key: fileID, payload: [0, 1, 2, 0xFF])
        let file = try await store.commitFile(
            NewFileVersion(fileID: fileID, ownerID: alice.userID, name: "report.pdf", contentType: "application/pdf",
                           size: 14, sha256: Array(repeating: 1, count: 32), blocks: [block, block2, block]),
            events: { _, _ in [event] }
        )
        #expect(file.currentVersion == 1 && file.versionCount == 1 && file.size == 14 && file.ownerUsername == alice.username)
        #expect(try await store.blockReferenceCount(block.sha256)! >= 2)
        let version = try #require(try await store.version(fileID: fileID, version: 1))
        #expect(version.blocks.map(\.sha256) == [block, block2, block].map(\.sha256))
        #expect(version.blocks.map(\.offset) == [0, 4, 0])
        #expect(try await store.quota(userID: alice.userID)?.usedBytes == 14)

        let second = try await store.commitFile(
            NewFileVersion(fileID: fileID, ownerID: alice.userID, name: "report.pdf", contentType: "application/pdf",
                           size: 4, sha256: Array(repeating: 2, count: 32), blocks: [block])
        )
        #expect(second.currentVersion == 2 && second.versionCount == 2 && second.size == 4)
        // Each commit queues its version's processing job in the same transaction.
        #expect(try await store.latestJob(fileID: fileID, version: 1)?.state == 1)
        let queued = try #require(try await store.latestJob(fileID: fileID, version: 2))
        #expect(queued.state == 1)
        // Someone else cannot add a version to alice's file.
        await #expect(throws: PostgresError.self) {
            _ = try await store.commitFile(NewFileVersion(fileID: fileID, ownerID: bob.userID, name: "x", contentType: "",
                                                          size: 0, sha256: Array(repeating: 0, count: 32), blocks: []))
        }
        let untouched = try #require(try await store.file(id: fileID))
        #expect(untouched.ownerID == alice.userID && untouched.name == "report.pdf" && untouched.currentVersion == 2)

        #expect(try await store.listFiles(ownerID: alice.userID, limit: 10).map(\.fileID) == [fileID])
        #expect(try await store.setStatus(fileID: fileID, status: 3, detectedType: "pdf")?.detectedType == "pdf")
        // An unknown job fails the whole status change; a known one moves with it.
        await #expect(throws: PostgresError.self) {
            _ = try await store.setStatus(fileID: fileID, status: 5, reason: "x", job: JobUpdate(jobID: newUUID(), state: 4, progress: 1))
        }
        #expect(try await store.file(id: fileID)?.status == 3)
        let done = try await store.setStatus(
            fileID: fileID, status: 4, job: JobUpdate(jobID: queued.jobID, state: 3, progress: 1))
        #expect(done?.status == 4)
        #expect(try await store.job(id: queued.jobID)?.state == 3)
        let empty = try await store.commitFile(NewFileVersion(
            fileID: newUUID(), ownerID: alice.userID, name: "empty", contentType: "", size: 0,
            sha256: Array(repeating: 3, count: 32), blocks: []))
        let emptyVersion = try #require(try await store.version(fileID: empty.fileID, version: 1))
        #expect(emptyVersion.blocks.isEmpty && emptyVersion.size == 0)
        #expect(try await store.version(fileID: empty.fileID, version: 2) == nil)

        #expect(try await store.permission(fileID: fileID, userID: bob.userID) == nil)
        #expect(try await store.share(fileID: fileID, ownerID: alice.userID, with: bob.userID, permission: 1))
        #expect(try await store.permission(fileID: fileID, userID: bob.userID) == 1)
        #expect(try await store.permission(fileID: fileID, userID: alice.userID) == 3)
        #expect(try await store.shares(fileID: fileID).map(\.username) == [bob.username])
        #expect(try await store.sharedWith(userID: bob.userID).map { [$0.file.fileID, "\($0.permission)"] } == [[fileID, "1"]])
        #expect(try await store.sharedWith(userID: bob.userID, limit: 5, order: .nameAscending).map(\.file.fileID) == [fileID])
        #expect(!(try await store.share(fileID: fileID, ownerID: bob.userID, with: bob.userID, permission: 2)))
        #expect(try await store.unshare(fileID: fileID, ownerID: alice.userID, from: bob.userID))
        #expect(try await store.permission(fileID: fileID, userID: bob.userID) == nil)

        let n1 = try await store.addNotification(userID: bob.userID, kind: 3, fileID: fileID, title: "t", body: "b")
        let n2 = try await store.addNotification(userID: bob.userID, kind: 2, fileID: nil, title: "t2", body: "")
        #expect(n2.sequence == n1.sequence + 1)
        #expect(try await store.notifications(userID: bob.userID, afterSequence: n1.sequence).map(\.notificationID)
                == [n2.notificationID])
        #expect(try await store.markNotificationRead(userID: bob.userID, notificationID: n1.notificationID))
        #expect(try await store.notifications(userID: bob.userID).first?.read == true)

        let job = try await store.createJob(fileID: fileID, version: 2)
        #expect(try await store.updateJob(JobUpdate(jobID: job.jobID, state: 2, progress: 0.5, stage: "scan"))?.progress == 0.5)
        #expect(try await store.job(id: job.jobID)?.stage == "scan")
        await #expect(throws: PostgresError.self) {
            _ = try await store.updateJob(JobUpdate(jobID: job.jobID, state: 2, progress: 1.5, stage: "scan"))
        }

        let outbox = try await store.unsentOutbox(limit: 100_000)
        #expect(outbox.contains { $0.eventID == event.eventID && $0.payload == event.payload && $0.key == fileID })

        #expect(try await store.setTrashed(fileID: fileID, ownerID: alice.userID, trashed: true))
        #expect(try await store.permission(fileID: fileID, userID: alice.userID) == nil)
        #expect(try await store.file(id: fileID)?.deletedAtMicros != nil)
        #expect(try await store.setTrashed(fileID: fileID, ownerID: alice.userID, trashed: false))
        #expect(try await store.file(id: fileID)?.deletedAtMicros == nil)
        _ = try await store.purge(fileID: fileID)
        #expect(try await store.file(id: fileID) == nil)
        #expect(try await store.quota(userID: alice.userID)?.usedBytes == 0)
        #expect(try await store.markProcessed(consumer: "t", eventID: event.eventID))
        #expect(!(try await store.markProcessed(consumer: "t", eventID: event.eventID)))
    }

    @Test("several events' notifications commit as one group: once per event, numbered per user in event order")
    func notificationGroups() async throws {
        let store = try await TestEnvironment.store()
        let bob = try await store.createUser(username: "bob-\(newUUID())", passwordHash: "h")
        let carol = try await store.createUser(username: "carol-\(newUUID())", passwordHash: "h")
        let before = try await store.notificationSequence(userID: bob.userID)!
        func note(_ user: UserRecord, _ title: String) -> NewNotification {
            NewNotification(userID: user.userID, kind: 1, fileID: nil, title: title, body: "")
        }
        // Event ids are text from the wire: hostile ones must stay data in the ledger's array parameter.
        let ids = HostileStrings.all.filter { !$0.contains("\0") }.map { $0 + newUUID() }
        let group = [
            EventNotifications(eventID: ids[0], notifications: [note(bob, "b1"), note(carol, "c1")]),
            EventNotifications(eventID: ids[1], notifications: [note(bob, "b2")]),
            EventNotifications(eventID: ids[0], notifications: [note(bob, "repeat")]),
            EventNotifications(eventID: ids[2], notifications: [
                NewNotification(userID: newUUID(), kind: 1, fileID: nil, title: "nobody", body: ""), note(carol, "c2"),
            ]),
            EventNotifications(eventID: ids[3], notifications: []),
        ]
        let stored = try await store.addNotifications(group, consumer: "group-test")
        #expect(stored.map { $0?.map(\.title) } == [["b1", "c1"], ["b2"], nil, ["c2"], []])
        #expect(stored[0]![0].sequence == before + 1 && stored[1]![0].sequence == before + 2)
        #expect(try await store.notifications(userID: bob.userID).map(\.title) == ["b1", "b2"])
        #expect(try await store.notifications(userID: carol.userID).map(\.title) == ["c1", "c2"])
        #expect(try await store.notificationSequence(userID: bob.userID) == before + 2)

        // Redelivered: the ledger has every event, so nothing is stored twice.
        let again = try await store.addNotifications(Array(group[...1]), consumer: "group-test")
        #expect(again.allSatisfy { $0 == nil })
        #expect(try await store.notifications(userID: bob.userID).count == 2)
        // Another consumer's ledger is its own.
        #expect(try await store.addNotifications([group[1]], consumer: "other-consumer")[0]?.count == 1)

        // One bad notification fails the group and stores nothing of it, ledger entries included.
        let tooLong = NewNotification(userID: bob.userID, kind: 1, fileID: nil,
                                      title: String(repeating: "x", count: 2000), body: "")
        let fresh = newUUID()
        let error = await #expect(throws: PostgresError.self) {
            _ = try await store.addNotifications(
                [EventNotifications(eventID: fresh, notifications: [note(bob, "ok")]),
                 EventNotifications(eventID: newUUID(), notifications: [tooLong])], consumer: "group-test")
        }
        #expect(error?.code == .checkViolation)
        #expect(try await store.addNotifications(
            [EventNotifications(eventID: fresh, notifications: [note(bob, "ok")])], consumer: "group-test")[0]?
            .map(\.title) == ["ok"])
    }

    @Test("hostile strings come back intact; NUL bytes and oversize names are refused clearly")
    func hostileInput() async throws {
        let store = try await TestEnvironment.store()
        for text in HostileStrings.all {
            let user = try await store.createUser(username: text + newUUID(), passwordHash: text, email: text,
                                                  displayName: text)
            #expect(try await store.user(id: user.userID) == user)
            #expect(user.displayName == text && user.passwordHash == text)
            let fileID = newUUID()
            let file = try await store.commitFile(NewFileVersion(
                fileID: fileID, ownerID: user.userID, name: text, contentType: text, size: 0,
                sha256: Array(repeating: 0, count: 32), blocks: []))
            #expect(file.name == text && file.contentType == text)
            let note = try await store.addNotification(userID: user.userID, kind: 1, fileID: nil, title: text, body: text)
            #expect(try await store.notifications(userID: user.userID).first == note)
            #expect(note.title == text)
        }
        let owner = try await store.createUser(username: "nul-\(newUUID())", passwordHash: "h")
        for field in ["name", "contentType"] {
            let error = await #expect(throws: PostgresError.self) {
                _ = try await store.commitFile(NewFileVersion(
                    fileID: newUUID(), ownerID: owner.userID, name: field == "name" ? "a\0b" : "n",
                    contentType: field == "contentType" ? "x\0" : "", size: 0,
                    sha256: Array(repeating: 0, count: 32), blocks: []))
            }
            #expect(error?.code == .invalidParameter)
        }
        await #expect(throws: PostgresError.self) {
            _ = try await store.createUser(username: "nul\0user", passwordHash: "h")
        }
        let huge = String(repeating: "ä", count: 600)  // 1200 bytes > 1024
        let error = await #expect(throws: PostgresError.self) {
            _ = try await store.commitFile(NewFileVersion(fileID: newUUID(), ownerID: owner.userID, name: huge,
                                                          contentType: "", size: 0, sha256: Array(repeating: 0, count: 32),
                                                          blocks: []))
        }
        #expect(error?.code == .checkViolation)
        // A malformed id is a clear error, not an injection.
        let idError = await #expect(throws: PostgresError.self) { _ = try await store.file(id: "1' OR '1'='1") }
        #expect(idError?.code == .invalidParameter)
        #expect(try await store.file(id: newUUID()) == nil)
    }

    @Test("labels are stored with the file, kept by a version that names none, replaced by one that does; bad ones are refused")
    func labels() async throws {
        let store = try await TestEnvironment.store()
        let owner = try await store.createUser(username: "labels-\(newUUID())", passwordHash: "h")
        let fileID = newUUID()
        func commit(_ labels: [String: String]?) async throws -> FileRecord {
            try await store.commitFile(NewFileVersion(
                fileID: fileID, ownerID: owner.userID, name: "tagged.txt", contentType: "", size: 0,
                sha256: Array(repeating: 0, count: 32), blocks: [], labels: labels))
        }
        // Values may hold anything printable, quotes and JSON syntax included; keys allow `/` and dots.
        let tags = ["team/data": "a \"quoted\" {json} 'sql'; DROP TABLE files;--", "env": "", "x.y_z-1": "ünïcødé ✓"]
        #expect(try await commit(tags).labels == tags)
        #expect(try await store.file(id: fileID)?.labels == tags)
        #expect(try await commit(nil).labels == tags)
        #expect(try await commit(["env": "prod"]).labels == ["env": "prod"])
        #expect(try await store.listFiles(ownerID: owner.userID, limit: 5).first?.labels == ["env": "prod"])

        let tooMany = Dictionary(uniqueKeysWithValues: (0...FileLabels.maxCount).map { ("k\($0)", "v") })
        for bad in [["": "v"], ["-lead": "v"], ["has space": "v"], ["ключ": "v"], [String(repeating: "k", count: 64): "v"],
                    ["k": String(repeating: "v", count: 257)], ["k": "line\nbreak"], ["k": "nul\0"], tooMany] {
            let error = await #expect(throws: PostgresError.self) { _ = try await commit(bad) }
            #expect(error?.code == .checkViolation)
        }
        #expect(try await store.file(id: fileID)?.labels == ["env": "prod"])  // refused commits changed nothing
        // Postgres itself refuses what is not an object, should a caller bypass the store.
        let bypass = await #expect(throws: PostgresError.self) {
            try await store.database.query("UPDATE files SET labels = '[1]' WHERE file_id = $1", [.text(fileID)])
        }
        #expect(bypass?.code == .checkViolation)
    }

    @Test("an upload by name adds a version to the owner's live file of that name, else makes a new file")
    func commitsByName() async throws {
        let store = try await TestEnvironment.store()
        let alice = try await store.createUser(username: "byname-\(newUUID())", passwordHash: "h")
        let bob = try await store.createUser(username: "byname-\(newUUID())", passwordHash: "h")
        let announced = Mutex<[String]>([])
        let upload = { (owner: UserRecord, name: String, byName: Bool) in
            try await store.commitFile(
                NewFileVersion(fileID: newUUID(), ownerID: owner.userID, name: name, contentType: "", size: 1,
                               sha256: Array(repeating: 6, count: 32), blocks: [], addsToSameNamedFile: byName),
                events: { fileID, version in
                    announced.withLock { $0.append("\(fileID)@\(version)") }
                    return []
                })
        }
        let first = try await upload(alice, "same.txt", true)
        let second = try await upload(alice, "same.txt", true)
        #expect(first.currentVersion == 1 && second.fileID == first.fileID && second.currentVersion == 2)
        #expect(announced.withLock { $0 } == ["\(first.fileID)@1", "\(first.fileID)@2"])
        #expect(try await upload(alice, "other.txt", true).fileID != first.fileID)
        #expect(try await upload(bob, "same.txt", true).fileID != first.fileID)  // names are per owner
        let explicit = try await upload(alice, "same.txt", false)  // an explicit new id stays a file of its own
        #expect(explicit.fileID != first.fileID && explicit.currentVersion == 1)
        // With two live namesakes the oldest takes the version; a trashed one is never revived by name.
        #expect(try await upload(alice, "same.txt", true).fileID == first.fileID)
        #expect(try await store.setTrashed(fileID: first.fileID, ownerID: alice.userID, trashed: true))
        #expect(try await store.setTrashed(fileID: explicit.fileID, ownerID: alice.userID, trashed: true))
        let fresh = try await upload(alice, "same.txt", true)
        #expect(fresh.fileID != first.fileID && fresh.fileID != explicit.fileID && fresh.currentVersion == 1)
        #expect(try await store.file(id: first.fileID)?.deletedAtMicros != nil)
    }

    @Test("processing's look at a file finds a live current version's job (queuing a lost one), and nothing else")
    func jobForCurrentVersion() async throws {
        let store = try await TestEnvironment.store()
        let owner = try await store.createUser(username: "proc-\(newUUID())", passwordHash: "h")
        let fileID = newUUID()
        let commit = { (name: String) in
            try await store.commitFile(NewFileVersion(
                fileID: fileID, ownerID: owner.userID, name: name, contentType: "", size: 0,
                sha256: Array(repeating: 4, count: 32), blocks: []))
        }
        _ = try await commit("first.txt")
        _ = try await commit("second.txt")
        let current = try #require(try await store.jobForCurrentVersion(fileID: fileID, version: 2))
        #expect(current.fileName == "second.txt" && current.job.version == 2 && current.job.state == 1)
        #expect(current.job.jobID == (try await store.latestJob(fileID: fileID, version: 2))?.jobID)
        #expect(try await store.jobForCurrentVersion(fileID: fileID, version: 1) == nil)  // replaced
        #expect(try await store.jobForCurrentVersion(fileID: fileID, version: 3) == nil)  // not yet committed
        #expect(try await store.jobForCurrentVersion(fileID: newUUID(), version: 1) == nil)

        // A version whose job row is missing gets one queued, once.
        try await store.database.query("DELETE FROM jobs WHERE file_id = $1", [.text(fileID)])
        let queued = try #require(try await store.jobForCurrentVersion(fileID: fileID, version: 2))
        #expect(queued.job.state == 1 && queued.job.jobID != current.job.jobID)
        #expect(try await store.jobForCurrentVersion(fileID: fileID, version: 2)?.job.jobID == queued.job.jobID)

        #expect(try await store.setTrashed(fileID: fileID, ownerID: owner.userID, trashed: true))
        #expect(try await store.jobForCurrentVersion(fileID: fileID, version: 2) == nil)
        await #expect(throws: PostgresError.self) {
            _ = try await store.jobForCurrentVersion(fileID: "not-a-uuid", version: 1)
        }
    }

    @Test("a status change's events are built from the owner and version its update found")
    func statusEventsSeeTheUpdatedFile() async throws {
        let store = try await TestEnvironment.store()
        let owner = try await store.createUser(username: "status-\(newUUID())", passwordHash: "h")
        let fileID = newUUID()
        for _ in 0..<3 {
            _ = try await store.commitFile(NewFileVersion(
                fileID: fileID, ownerID: owner.userID, name: "s.txt", contentType: "", size: 0,
                sha256: Array(repeating: 5, count: 32), blocks: []))
        }
        let eventID = newUUID()
        let updated = try await store.setStatus(fileID: fileID, status: 3) { ownerID, version in
            [OutboxMessage(eventID: eventID, topic: "file-processing", key: "\(ownerID)/\(version)", payload: [1])]
        }
        #expect(updated?.status == 3 && updated?.currentVersion == 3)
        let key = try await store.database.query(
            "SELECT message_key FROM outbox WHERE event_id = $1", [.text(eventID)]).first?.string(0)
        #expect(key == "\(owner.userID)/3")

        // No file: nothing is written, and the events are never built.
        let unbuilt = newUUID()
        #expect(try await store.setStatus(fileID: newUUID(), status: 3) { _, _ in
            [OutboxMessage(eventID: unbuilt, topic: "file-processing", key: "k", payload: [1])]
        } == nil)
        #expect(try await store.database.query(
            "SELECT 1 FROM outbox WHERE event_id = $1", [.text(unbuilt)]).count == 0)
    }

    @Test("the database enforces limits even when callers skip the checks")
    func databaseRefusesBadBytes() async throws {
        let store = try await TestEnvironment.store()
        let error = await #expect(throws: PostgresError.self) {
            try await store.database.query("SELECT convert_from($1, 'UTF8')", [.bytea([0x66, 0xFF, 0xC0])])
        }
        #expect(error?.code == .invalidEncoding)
        let long = await #expect(throws: PostgresError.self) {
            try await store.database.transaction { session in
                try await session.query(
                    "INSERT INTO users (user_id, username, password_hash) VALUES ($1, $2, 'h')",
                    [.text(newUUID()), .text(String(repeating: "x", count: 300))])
            }
        }
        #expect(long?.code == .checkViolation)
        let bytes = (0...255).map(UInt8.init)
        #expect(try await store.database.query("SELECT $1::bytea", [.bytea(bytes)]).first?.bytes(0) == bytes)
    }

    @Test("statement timeout cancels a runaway query with a typed error")
    func statementTimeout() async throws {
        _ = try await TestEnvironment.store()
        let database = PostgresDatabase(configuration: PostgresConfiguration(
            url: TestEnvironment.postgresURL!, maxConnections: 1, statementTimeoutMillis: 200))
        let error = await #expect(throws: PostgresError.self) { try await database.query("SELECT pg_sleep(5)") }
        #expect(error?.code == .timeout)
        #expect(try await database.query("SELECT 1").first?.int(0) == 1)
    }

    @Test("a transaction's BEGIN goes with its first statement: one without statements leaves nothing open behind")
    func beginTravelsWithTheFirstStatement() async throws {
        _ = try await TestEnvironment.store()
        // One connection, so every call below runs on the same session.
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: TestEnvironment.postgresURL!, maxConnections: 1))
        let isolation = "SELECT current_setting('transaction_isolation')"
        #expect(try await database.transaction(isolation: .serializable) { _ in 7 } == 7)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await database.transaction(isolation: .serializable) { _ in throw Refused() } }
        // A BEGIN left pending by either would have made this read serializable, and kept it open.
        #expect(try await database.query(isolation).first?.string(0) == "read committed")
        #expect(try await database.query("SELECT txid_current_if_assigned() IS NULL")
            .first?.bool(0) == true)
        let inside = try await database.transaction(isolation: .repeatableRead) { session in
            try await session.query(isolation).first?.string(0)
        }
        #expect(inside == "repeatable read")
        await #expect(throws: Refused.self) {
            try await database.transaction { session in
                try await session.query("CREATE TEMP TABLE begin_probe (n int)")
                throw Refused()
            }
        }
        // Rolled back: the table made inside is gone.
        #expect(try await database.query("SELECT to_regclass('pg_temp.begin_probe') IS NULL").first?.bool(0) == true)
    }

    @Test("serialization failures and deadlocks are retried until the transaction commits")
    func conflictRetry() async throws {
        let store = try await TestEnvironment.store(maxConnections: 8)
        let user = try await store.createUser(username: "counter-\(newUUID())", passwordHash: "h")
        _ = try await store.setQuota(userID: user.userID, limitBytes: 1_000_000)
        let attempts = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await store.database.transaction(isolation: .serializable) { session in
                        attempts.increment()
                        let used = try await session.query(
                            "SELECT used_bytes FROM quotas WHERE user_id = $1", [.text(user.userID)]).first!.int(0)
                        try await session.query("SELECT pg_sleep(0.02)")
                        try await session.query(
                            "UPDATE quotas SET used_bytes = $2 WHERE user_id = $1", [.text(user.userID), .int(used + 1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.quota(userID: user.userID)?.usedBytes == 8)
        #expect(attempts.value > 8)  // some attempts hit 40001 and were re-run
    }
}

/// A thread-safe tally for counting closure runs across tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
