import FlowMessages
import Foundation
import PostgresStore
import Testing

@testable import NotificationService

private let owner = "11111111-1111-4111-8111-111111111111"
private let bob = "22222222-2222-4222-8222-222222222222"
private let carol = "33333333-3333-4333-8333-333333333333"
private let fileID = "44444444-4444-4444-8444-444444444444"

private func file(name: String = "report.pdf", trashed: Bool = false, sharedWith: Set<String> = []) -> FileFacts {
    FileFacts(name: name, ownerID: owner, ownerUsername: "alice", trashed: trashed, sharedWith: sharedWith)
}

private func event(_ fill: (inout Fileflow_V1_FileEvent) -> Void) -> Fileflow_V1_FileEvent {
    var event = Fileflow_V1_FileEvent()
    event.eventID = UUID().uuidString
    event.fileID = fileID
    event.actorID = owner
    fill(&event)
    return event
}

private func processed(_ status: Fileflow_V1_FileStatus, type: String = "", reason: String = "") -> Fileflow_V1_FileEvent {
    event {
        var processed = Fileflow_V1_FileProcessed()
        processed.status = status
        processed.detectedType = type
        processed.reason = reason
        $0.processed = processed
    }
}

private func shared(with userID: String, permission: Fileflow_V1_Permission = .read, revoked: Bool = false)
    -> Fileflow_V1_FileEvent
{
    event {
        var shared = Fileflow_V1_FileShared()
        shared.ownerID = owner
        shared.userID = userID
        shared.permission = permission
        shared.revoked = revoked
        $0.shared = shared
    }
}

private func kind(_ kind: Fileflow_V1_NotificationKind) -> Int { Int(kind.rawValue) }

@Suite struct NotificationPlanTests {
    @Test func processingOutcomesTellTheOwner() {
        let done = NotificationPlan.notifications(for: processed(.processed, type: "pdf"), file: file())
        #expect(done == [NewNotification(userID: owner, kind: kind(.processingDone), fileID: fileID,
                                         title: "report.pdf is ready",
                                         body: "Processing finished. Detected type: pdf.")])
        let quarantined = NotificationPlan.notifications(for: processed(.quarantined, reason: "EICAR found"), file: file())
        #expect(quarantined.map(\.kind) == [kind(.fileQuarantined)])
        #expect(quarantined.first?.body == "EICAR found")
        let failed = NotificationPlan.notifications(for: processed(.failed), file: file())
        #expect(failed.map(\.title) == ["Processing report.pdf failed"])
        #expect(failed.map(\.body) == ["No reason was given."])
        #expect(failed.map(\.userID) == [owner])
    }

    @Test(arguments: [Fileflow_V1_FileStatus.unspecified, .uploaded, .processing, .UNRECOGNIZED(42)])
    func unfinishedStatusesTellNobody(status: Fileflow_V1_FileStatus) {
        #expect(NotificationPlan.notifications(for: processed(status), file: file()).isEmpty)
    }

    @Test func aShareTellsItsRecipientWhileTheyHoldIt() {
        let read = NotificationPlan.notifications(for: shared(with: bob), file: file(sharedWith: [bob]))
        #expect(read == [NewNotification(userID: bob, kind: kind(.shareReceived), fileID: fileID,
                                         title: "alice shared report.pdf with you", body: "You can read it.")])
        let write = NotificationPlan.notifications(for: shared(with: bob, permission: .write), file: file(sharedWith: [bob]))
        #expect(write.map(\.body) == ["You can read and change it."])
    }

    @Test func revokedGoneOrTrashedSharesTellNobody() {
        #expect(NotificationPlan.notifications(for: shared(with: bob, revoked: true), file: file(sharedWith: [bob])).isEmpty)
        #expect(NotificationPlan.notifications(for: shared(with: bob), file: file(sharedWith: [carol])).isEmpty)
        #expect(NotificationPlan.notifications(for: shared(with: bob), file: file(trashed: true, sharedWith: [bob])).isEmpty)
    }

    @Test func aDeletionTellsTheOwnerAndEveryRecipient() {
        var deleted = Fileflow_V1_FileDeleted()
        deleted.ownerID = owner
        deleted.purgeAfter.seconds = 1_767_225_600  // 2026-01-01T00:00:00Z
        let notes = NotificationPlan.notifications(for: event { $0.deleted = deleted },
                                                   file: file(trashed: true, sharedWith: [carol, bob]))
        #expect(notes.map(\.userID) == [owner, bob, carol])
        #expect(Set(notes.map(\.kind)) == [kind(.fileDeleted)])
        #expect(notes.first?.body == "It can be restored until 2026-01-01T00:00:00Z.")
        #expect(notes.last?.title == "alice deleted report.pdf")
    }

    @Test func eventsWithoutAFileOrOfOtherKindsTellNobody() {
        #expect(NotificationPlan.notifications(for: processed(.processed), file: nil).isEmpty)
        let others = [event { $0.uploaded = Fileflow_V1_FileUploaded() }, event { $0.restored = Fileflow_V1_FileRestored() },
                      event { $0.purged = Fileflow_V1_FilePurged() }, event { _ in }]
        for other in others {
            #expect(!NotificationPlan.concerns(other))
            #expect(NotificationPlan.notifications(for: other, file: file()).isEmpty)
        }
        #expect(NotificationPlan.concerns(processed(.processed)))
    }

    /// A 1024-byte name of 4-byte scalars: the title is cut to the store's limit on a scalar boundary.
    @Test func longNamesAreCutToTheStoresLimits() throws {
        let name = String(repeating: "🗂", count: 256)
        let title = try #require(NotificationPlan.notifications(for: processed(.failed), file: file(name: name)).first?.title)
        #expect(title.utf8.count <= FileFlowStore.Limits.titleBytes && title.utf8.count > 1000)
        #expect(title.hasPrefix("Processing 🗂🗂") && title.unicodeScalars.last == "🗂")
    }
}

@Suite struct FeedSignalTests {
    @Test func storedAndTransientSignalsRoundTrip() throws {
        let stored = FeedSignal.stored(userID: bob)
        #expect(FeedSignal(payload: stored.payload) == stored)
        var progress = Fileflow_V1_Notification()
        progress.userID = bob
        progress.kind = .uploadProgress
        progress.progress.bytesDone = 512
        progress.progress.bytesTotal = 1024
        let transient = FeedSignal.transient(progress)
        #expect(transient.payload.hasPrefix("t:"))
        #expect(FeedSignal(payload: transient.payload) == transient)
        #expect(FeedSignal(payload: transient.payload)?.userID == bob)
    }

    @Test func foreignPayloadsAreIgnored() {
        var upperCase = Fileflow_V1_Notification()
        upperCase.userID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee".uppercased()
        var oversize = Fileflow_V1_Notification()
        oversize.userID = bob
        oversize.body = String(repeating: "x", count: FeedSignal.transientBytes)
        for payload in ["", "hello", bob + "x", "t:", "t:!!!notbase64", "t:" + Data([0xff, 0xff, 0xff]).base64EncodedString(),
                        FeedSignal.transient(upperCase).payload, FeedSignal.transient(oversize).payload]
        {
            #expect(FeedSignal(payload: payload) == nil, "\(payload.prefix(40))")
        }
    }
}

private func progress(_ fileID: String, done: UInt64) -> Fileflow_V1_Notification {
    var notification = Fileflow_V1_Notification()
    notification.userID = bob
    notification.kind = .uploadProgress
    notification.fileID = fileID
    notification.progress.bytesDone = done
    return notification
}

@Suite struct SubscriptionTests {
    @Test func theFirstDeliveryReadsWhatIsStored() async {
        let subscription = Subscription(userID: bob)
        #expect(await subscription.next() == .init(readStored: true, transients: []))
        subscription.storedArrived()
        subscription.storedArrived()
        #expect(await subscription.next() == .init(readStored: true, transients: []))
    }

    @Test func aWaitingStreamWakesUp() async {
        let subscription = Subscription(userID: bob)
        _ = await subscription.next()
        let waiting = Task { await subscription.next() }
        subscription.transientArrived(progress(fileID, done: 1))
        #expect(await waiting.value == .init(readStored: false, transients: [progress(fileID, done: 1)]))
    }

    @Test func newerProgressOfAFileReplacesTheOlder() async {
        let subscription = Subscription(userID: bob)
        let other = UUID().uuidString.lowercased()
        for done in 1...1000 { subscription.transientArrived(progress(fileID, done: UInt64(done))) }
        subscription.transientArrived(progress(other, done: 7))
        let delivery = await subscription.next()
        #expect(delivery?.transients == [progress(fileID, done: 1000), progress(other, done: 7)])
    }

    @Test func anUnreadStreamKeepsABoundedBufferDroppingTheOldest() async {
        let subscription = Subscription(userID: bob)
        let files = (0..<100).map { _ in UUID().uuidString.lowercased() }
        for file in files { subscription.transientArrived(progress(file, done: 1)) }
        subscription.storedArrived()
        let delivery = await subscription.next()
        #expect(delivery?.readStored == true)
        #expect(delivery?.transients.map(\.fileID) == Array(files.suffix(Subscription.transientCapacity)))
    }

    @Test func closingOrCancellingEndsTheStream() async {
        let closed = Subscription(userID: bob)
        let waiting = Task { await closed.next() }
        closed.close()
        #expect(await waiting.value == nil)
        closed.storedArrived()
        #expect(await closed.next() == nil)

        let cancelled = Subscription(userID: bob)
        _ = await cancelled.next()
        let abandoned = Task { await cancelled.next() }
        abandoned.cancel()
        #expect(await abandoned.value == nil)
    }
}

@Suite struct LiveFeedTests {
    @Test func signalsReachOnlyTheirUsersStreams() async throws {
        let feed = LiveFeed()
        let bobs = [try feed.subscribe(userID: bob), try feed.subscribe(userID: bob)]
        let carols = try feed.subscribe(userID: carol)
        for subscription in bobs + [carols] { _ = await subscription.next() }
        feed.deliver(.stored(userID: bob))
        feed.deliver(.transient(progress(fileID, done: 3)))
        for subscription in bobs {
            #expect(await subscription.next() == .init(readStored: true, transients: [progress(fileID, done: 3)]))
        }
        feed.wakeAll()
        #expect(await carols.next() == .init(readStored: true, transients: []))
        feed.unsubscribe(bobs[0])
        #expect(feed.subscriberCount == 2)
    }

    @Test func closingEndsEveryStreamAndRefusesNewOnes() async throws {
        let feed = LiveFeed()
        let subscription = try feed.subscribe(userID: bob)
        _ = await subscription.next()
        let waiting = Task { await subscription.next() }
        feed.close()
        #expect(await waiting.value == nil)
        #expect(throws: (any Error).self) { try feed.subscribe(userID: bob) }
    }

    @Test func readinessFollowsTheListener() async throws {
        let feed = LiveFeed()
        await #expect(throws: (any Error).self) { try await feed.readiness.probe() }
        feed.setListening(true)
        try await feed.readiness.probe()
        #expect(feed.setListening(false, problem: "connection refused"))
        await #expect(throws: (any Error).self) { try await feed.readiness.probe() }
    }
}

private let postgresURL = ProcessInfo.processInfo.environment["FILEFLOW_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

@Suite struct NotificationWriterTests {
    @Test("handlers writing at once share group commits: each event stored once, numbered without gaps; a bad one fails alone",
          .enabled(if: postgresURL != nil, "needs FILEFLOW_POSTGRES_URL"))
    func concurrentWriters() async throws {
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: postgresURL!, maxConnections: 4))
        try await MigrationRunner(database: database).migrate()
        let store = FileFlowStore(database: database)
        let bob = try await store.createUser(username: "bob-\(UUID().uuidString)", passwordHash: "h")
        let writer = NotificationWriter(store: store, consumer: "writer-test-\(UUID().uuidString)")
        let repeated = UUID().uuidString
        let events = (0..<40).map { i in
            EventNotifications(eventID: i == 39 ? repeated : UUID().uuidString, notifications: [NewNotification(
                userID: bob.userID, kind: 1, fileID: nil,
                title: i == 17 ? String(repeating: "x", count: 5000) : "n\(i)", body: "")])
        } + [EventNotifications(eventID: repeated, notifications: [
            NewNotification(userID: bob.userID, kind: 1, fileID: nil, title: "again", body: "")])]
        let outcomes = await withTaskGroup(of: (Int, Result<[NotificationRecord]?, any Error>).self) { group in
            for (i, event) in events.enumerated() {
                group.addTask {
                    do { return (i, .success(try await writer.write(event))) } catch { return (i, .failure(error)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (i, outcome) in outcomes where i != 17 && i < 39 {
            #expect((try? outcome.get())??.map(\.title) == ["n\(i)"])
        }
        guard case .failure(let error) = outcomes[17]! else {
            Issue.record("the event with an oversize title was stored")
            return
        }
        #expect((error as? PostgresError)?.code == .checkViolation)
        // Of the two deliveries of one event, exactly one stored its notification.
        let repeats = [outcomes[39]!, outcomes[40]!].map { outcome -> Int? in
            guard case .success(let records) = outcome else { return nil }
            return records?.count ?? 0
        }
        #expect(repeats.sorted { ($0 ?? -1) < ($1 ?? -1) } == [0, 1])
        let stored = try await store.notifications(userID: bob.userID, limit: 100)
        #expect(stored.count == 39)
        #expect(stored.map(\.sequence) == Array(1...39))
    }
}

