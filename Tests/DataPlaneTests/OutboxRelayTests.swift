import EventBus
import Foundation
import OutboxRelay
import PostgresStore
import Testing

@Suite("Outbox relay: Postgres → Kafka, at least once, in order per key",
       .enabled(if: TestEnvironment.postgresURL != nil && TestEnvironment.kafkaBootstrap != nil))
struct OutboxRelayTests {
    let bootstrap = TestEnvironment.kafkaBootstrap ?? ""

    /// Commits `count` files, each announcing itself on `topic`, alternating between a few keys.
    private func commitEvents(_ store: FileFlowStore, topic: String, count: Int, keys: [String]) async throws -> [String] {
        let owner = try await store.createUser(username: "relay-\(newUUID())", passwordHash: "h")
        var ids: [String] = []
        for i in 0..<count {
            let eventID = newUUID()
            ids.append(eventID)
            _ = try await store.commitFile(
                NewFileVersion(fileID: newUUID(), ownerID: owner.userID, name: "f\(i)", contentType: "", size: 0,
                               sha256: Array(repeating: 0, count: 32), blocks: []),
                events: { _, _ in [OutboxMessage(eventID: eventID, topic: topic, key: keys[i % keys.count],
                                                 payload: Array(eventID.utf8), b3: "trace\(i)-span\(i)-1")] }
            )
        }
        return ids
    }

    /// A consumer that dedupes by event id in Postgres (the payload is the event id here), as services do.
    private func dedupingConsumer(_ store: FileFlowStore, topic: String, into inbox: Inbox, duplicates: Counter) throws
        -> (KafkaConsumer, Task<Void, Error>)
    {
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, groupID: "g-\(UUID())", topics: [topic])
        let task = startConsuming(consumer, into: Inbox()) { message in
            let eventID = String(decoding: message.value, as: UTF8.self)
            if try await store.markProcessed(consumer: "test", eventID: eventID) {
                inbox.append(message)
            } else {
                duplicates.increment()
            }
        }
        return (consumer, task)
    }

    @Test("committed events are published in order per key and marked sent only after delivery")
    func relaysInOrder() async throws {
        let store = try await TestEnvironment.freshStore()
        let topic = uniqueTopic("t-outbox")
        let ids = try await commitEvents(store, topic: topic, count: 30, keys: ["a", "b", "c"])
        let inbox = Inbox()
        let (_, consumerTask) = try dedupingConsumer(store, topic: topic, into: inbox, duplicates: Counter())
        let relay = OutboxRelay(store: store, producer: try KafkaProducer(bootstrapServers: bootstrap), batchSize: 7)
        let relayTask = Task { await relay.run() }
        #expect(await inbox.waitUntil { $0.count == 30 })
        // Events committed while the relay waits are woken by NOTIFY and also arrive.
        let more = try await commitEvents(store, topic: topic, count: 5, keys: ["a"])
        #expect(await inbox.waitUntil { $0.count == 35 })
        relayTask.cancel()
        consumerTask.cancel()
        await relayTask.value
        let all = ids + more
        for key in ["a", "b", "c"] {
            let order = inbox.messages.filter { $0.keyString == key }.map { String(decoding: $0.value, as: UTF8.self) }
            let expected = all.enumerated().filter { i, _ in
                i < 30 ? ["a", "b", "c"][i % 3] == key : key == "a"
            }.map(\.element)
            #expect(order == expected)
        }
        #expect(inbox.messages.allSatisfy { $0.b3?.hasPrefix("trace") == true })
        #expect(try await store.unsentOutbox(limit: 100).isEmpty)
    }

    @Test("a relay that dies after publishing but before marking sent loses nothing; duplicates are deduped")
    func relayKilledMidBatch() async throws {
        let store = try await TestEnvironment.freshStore()
        let topic = uniqueTopic("t-crash")
        let ids = try await commitEvents(store, topic: topic, count: 20, keys: ["x", "y"])
        let producer = try KafkaProducer(bootstrapServers: bootstrap)
        // The dying relay: it read a batch and published half of it, then vanished before `markSent`.
        let batch = try await store.unsentOutbox(limit: 10)
        let published = await producer.send(batch: batch.map {
            KafkaOutgoingMessage(topic: $0.topic, key: $0.key, value: $0.payload)
        })
        #expect(published.allSatisfy { (try? $0.get()) != nil })
        #expect(try await store.unsentOutbox(limit: 100).count == 20)
        let inbox = Inbox()
        let duplicates = Counter()
        let (_, consumerTask) = try dedupingConsumer(store, topic: topic, into: inbox, duplicates: duplicates)
        let relayTask = Task { await OutboxRelay(store: store, producer: producer).run() }
        #expect(await inbox.waitUntil { $0.count == 20 })
        #expect(await inbox.waitUntil { _ in duplicates.value == 10 })
        relayTask.cancel()
        consumerTask.cancel()
        await relayTask.value
        #expect(Set(inbox.messages.map { String(decoding: $0.value, as: UTF8.self) }) == Set(ids))
    }

    @Test("the broker going down mid-publish delays delivery but loses nothing")
    func brokerDownMidPublish() async throws {
        let cluster = try KafkaMockCluster(brokers: 3, topics: ["relay-faults"], partitions: 2)
        let store = try await TestEnvironment.freshStore()
        let ids = try await commitEvents(store, topic: "relay-faults", count: 10, keys: ["p", "q"])
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers,
                                         configuration: ["message.timeout.ms": "60000"])
        cluster.setBrokerDown(-1)
        let relayTask = Task { await OutboxRelay(store: store, producer: producer, idleWaitMillis: 200).run() }
        try await Task.sleep(for: .milliseconds(800))
        #expect(try await store.unsentOutbox(limit: 100).count == 10)  // nothing marked sent while brokers are down
        for id in 1...3 { cluster.setBrokerUp(Int32(id)) }
        // Retriable produce errors on top (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT): retried, not lost.
        cluster.pushRequestErrors(apiKey: 0, errors: [6, 7, 6])
        let inbox = Inbox()
        let consumer = try KafkaConsumer(bootstrapServers: cluster.bootstrapServers, groupID: "g-\(UUID())",
                                         topics: ["relay-faults"])
        let consumerTask = startConsuming(consumer, into: inbox)
        #expect(await inbox.waitUntil { Set($0.map(\.value)).count == 10 })
        consumerTask.cancel()
        #expect(Set(inbox.messages.map { String(decoding: $0.value, as: UTF8.self) }) == Set(ids))
        var unsent = try await store.unsentOutbox(limit: 100).count
        for _ in 0..<100 where unsent > 0 {  // the relay marks rows sent just after the acks arrive
            try await Task.sleep(for: .milliseconds(50))
            unsent = try await store.unsentOutbox(limit: 100).count
        }
        #expect(unsent == 0)
        relayTask.cancel()
        await relayTask.value
    }
}
