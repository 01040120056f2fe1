import EventBus
import Foundation
import Testing

@Suite("EventBus against the broker", .enabled(if: TestEnvironment.kafkaBootstrap != nil))
struct EventBusTests {
    let bootstrap = TestEnvironment.kafkaBootstrap ?? ""

    @Test("produced messages arrive with key, headers and per-key order; commits survive a consumer restart")
    func produceConsumeCommit() async throws {
        let topic = uniqueTopic("t-roundtrip")
        let producer = try KafkaProducer(bootstrapServers: bootstrap)
        var reports: [KafkaDeliveryReport] = []
        for i in 0..<20 {
            let b3 = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"
            reports.append(try await producer.send(
                KafkaOutgoingMessage(topic: topic, key: "file-\(i % 3)", value: Array("event \(i)".utf8), b3: b3)))
        }
        #expect(reports.allSatisfy { $0.topic == topic && $0.offset >= 0 })
        let group = "g-\(UUID())"
        let inbox = Inbox()
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let task = startConsuming(consumer, into: inbox)
        #expect(await inbox.waitUntil { $0.count >= 20 })
        task.cancel()
        _ = try? await task.value
        consumer.close()
        let seen = inbox.messages
        #expect(seen.allSatisfy { $0.b3 == "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1" })
        for key in 0..<3 {
            let values = seen.filter { $0.keyString == "file-\(key)" }.map { String(decoding: $0.value, as: UTF8.self) }
            let expected = (0..<20).filter { $0 % 3 == key }.map { "event \($0)" }
            #expect(values == expected)
        }
        // Same group again: everything was committed, so only new messages arrive.
        try await producer.send(KafkaOutgoingMessage(topic: topic, key: "file-0", value: Array("after".utf8)))
        let second = Inbox()
        let again = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let task2 = startConsuming(again, into: second)
        #expect(await second.waitUntil { $0.contains { $0.value == Array("after".utf8) } })
        try await Task.sleep(for: .milliseconds(300))
        task2.cancel()
        _ = try? await task2.value
        #expect(second.messages.map(\.value) == [Array("after".utf8)])
    }

    @Test("a failing handler is retried, then the message goes to <topic>.dlq and the partition moves on")
    func deadLetter() async throws {
        let topic = uniqueTopic("t-dlq")
        let producer = try KafkaProducer(bootstrapServers: bootstrap)
        try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: Array("poison".utf8), b3: "abc-def"))
        try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: Array("fine".utf8)))
        let attempts = Counter()
        let inbox = Inbox()
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, groupID: "g-\(UUID())", topics: [topic],
                                         retryPolicy: KafkaRetryPolicy(attempts: 3, initialBackoffMillis: 10))
        let task = startConsuming(consumer, into: inbox) { message in
            if message.value == Array("poison".utf8) {
                attempts.increment()
                throw TestFailure(message: "cannot handle poison")
            }
        }
        #expect(await inbox.waitUntil { $0.contains { $0.value == Array("fine".utf8) } })
        task.cancel()
        #expect(attempts.value == 3)
        let dlq = Inbox()
        let dlqConsumer = try KafkaConsumer(bootstrapServers: bootstrap, groupID: "g-\(UUID())", topics: [topic + ".dlq"])
        let dlqTask = startConsuming(dlqConsumer, into: dlq)
        #expect(await dlq.waitUntil { !$0.isEmpty })
        dlqTask.cancel()
        let parked = try #require(dlq.messages.first)
        #expect(parked.value == Array("poison".utf8) && parked.b3 == "abc-def" && parked.keyString == "k")
        #expect(String(decoding: parked.header("x-fileflow-error") ?? [], as: UTF8.self).contains("cannot handle poison"))
    }

    @Test("a message whose handler never finished is delivered again to the group (at-least-once)")
    func redeliveryAfterCrash() async throws {
        let topic = uniqueTopic("t-redeliver")
        let producer = try KafkaProducer(bootstrapServers: bootstrap)
        for i in 0..<3 { try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: [UInt8(i)])) }
        let group = "g-\(UUID())"
        let inbox = Inbox()
        let first = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let stuck = Inbox()
        let task = startConsuming(first, into: inbox) { message in
            if message.value == [1] {
                stuck.append(message)
                try await Task.sleep(for: .seconds(3600))  // "crashes" here: cancelled before committing
            }
        }
        #expect(await stuck.waitUntil { !$0.isEmpty })
        task.cancel()
        _ = try? await task.value
        first.close()
        #expect(inbox.messages.map(\.value) == [[0]])
        let second = Inbox()
        let replacement = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let task2 = startConsuming(replacement, into: second)
        #expect(await second.waitUntil { $0.count >= 2 })
        task2.cancel()
        #expect(second.messages.map(\.value) == [[1], [2]])
    }

    @Test("when even the dead-letter topic refuses a message, run throws and the next run starts at that message")
    func rewindWhenDeadLetteringFails() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, topics: ["t-rewind"], partitions: 1)
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers)
        for value in ["a", "b", "c"] {
            try await producer.send(KafkaOutgoingMessage(topic: "t-rewind", key: "k", value: Array(value.utf8)))
        }
        let consumer = try KafkaConsumer(bootstrapServers: cluster.bootstrapServers, groupID: "g-\(UUID())",
                                         topics: ["t-rewind"], retryPolicy: KafkaRetryPolicy(attempts: 1))
        // Every produce from now on (the dead-letter write) fails for good: TOPIC_AUTHORIZATION_FAILED.
        cluster.pushRequestErrors(apiKey: 0, errors: Array(repeating: 29, count: 50))
        let first = Inbox()
        let failed = await #expect(throws: KafkaError.self) {
            try await consumer.run { message in
                guard message.value != Array("b".utf8) else { throw TestFailure(message: "cannot handle b") }
                first.append(message)
            }
        }
        #expect(failed?.code == .deliveryFailed)
        #expect(first.messages.map(\.value) == [Array("a".utf8)])
        // The same member again: b was neither handled nor parked, so it comes back, then c.
        let second = Inbox()
        let task = startConsuming(consumer, into: second)
        #expect(await second.waitUntil { $0.count >= 2 })
        task.cancel()
        #expect(second.messages.map(\.value) == [Array("b".utf8), Array("c".utf8)])
    }

    @Test("two members of a group split the partitions and together see every message")
    func rebalance() async throws {
        let topic = uniqueTopic("t-rebalance")
        let producer = try KafkaProducer(bootstrapServers: bootstrap)
        let group = "g-\(UUID())"
        // Creates the topic (auto-created with several partitions) before the members join.
        _ = await producer.send(batch: (0..<40).map {
            KafkaOutgoingMessage(topic: topic, key: "key-\($0)", value: Array("m\($0)".utf8))
        })
        let inbox = Inbox()
        let a = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let taskA = startConsuming(a, into: inbox)
        let b = try KafkaConsumer(bootstrapServers: bootstrap, groupID: group, topics: [topic])
        let taskB = startConsuming(b, into: inbox)
        _ = await producer.send(batch: (40..<80).map {
            KafkaOutgoingMessage(topic: topic, key: "key-\($0)", value: Array("m\($0)".utf8))
        })
        #expect(await inbox.waitUntil { Set($0.map(\.value)).count == 80 })
        #expect(await inbox.waitUntil(seconds: 15) { _ in a.rebalances.assigned > 0 && b.rebalances.assigned > 0 })
        taskA.cancel()
        taskB.cancel()
        #expect(a.rebalances.count + b.rebalances.count >= 2)
    }

    @Test("oversize and unroutable messages are refused with a typed error")
    func refusedMessages() async throws {
        let producer = try KafkaProducer(bootstrapServers: bootstrap, configuration: ["message.max.bytes": "10000"])
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaOutgoingMessage(topic: uniqueTopic("t-big"), key: "k",
                                                         value: [UInt8](repeating: 1, count: 20_000)))
        }
        #expect(error?.code == .produceRefused)
        #expect(throws: KafkaError.self) { _ = try KafkaProducer(bootstrapServers: bootstrap, configuration: ["linger.ms": "soon"]) }
        #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(bootstrapServers: bootstrap, configuration: ["no.such.property": "1"])
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
