/// The dead-letter convention: a message whose handler keeps failing is parked in `<topic>.dlq` with headers
/// saying why, how often it was tried and where it came from; `DeadLetters.replay` puts such messages back on
/// their topic once the cause is fixed.
public enum DeadLetters {
    public static let suffix = ".dlq"
    /// The handler's last error, as text.
    public static let errorHeader = "x-fileflow-error"
    public static let attemptsHeader = "x-fileflow-attempts"
    /// `topic/partition@offset` of the original message.
    public static let originHeader = "x-fileflow-origin"
    /// On a replayed message: `topic/partition@offset` of the dead letter it came from.
    public static let replayedFromHeader = "x-fileflow-replayed-from"

    /// The dead letter of `message`, which failed with `error` after `attempts` tries.
    static func letter(for message: KafkaIncomingMessage, error: any Error, attempts: Int) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(
            topic: message.topic + suffix, key: message.key, value: message.value,
            headers: message.headers + [
                KafkaHeader(name: errorHeader, value: Array("\(error)".utf8)),
                KafkaHeader(name: attemptsHeader, value: Array(String(attempts).utf8)),
                KafkaHeader(name: originHeader, value: Array(position(of: message).utf8)),
            ])
    }

    /// A dead letter as it goes back to its topic: same key, value and headers (so the trace and event id carry
    /// on), minus the failure headers, plus where it was replayed from. The topic is the origin header's, else
    /// the dead-letter topic's name without `.dlq`.
    public static func replayed(_ letter: KafkaIncomingMessage) -> KafkaOutgoingMessage {
        let failureHeaders: Set = [errorHeader, attemptsHeader, originHeader, replayedFromHeader]
        return KafkaOutgoingMessage(
            topic: originalTopic(of: letter), key: letter.key, value: letter.value,
            headers: letter.headers.filter { !failureHeaders.contains($0.name) }
                + [KafkaHeader(name: replayedFromHeader, value: Array(position(of: letter).utf8))])
    }

    public static func originalTopic(of letter: KafkaIncomingMessage) -> String {
        if let origin = letter.header(originHeader).map({ String(decoding: $0, as: UTF8.self) }),
            let slash = origin.firstIndex(of: "/"), isTopicName(origin[..<slash])
        {
            return String(origin[..<slash])
        }
        return letter.topic.hasSuffix(suffix) ? String(letter.topic.dropLast(suffix.count)) : letter.topic
    }

    /// Kafka's rule for topic names: 1 to 249 of ASCII letters, digits, `.`, `_` and `-`.
    public static func isTopicName(_ name: Substring) -> Bool {
        (1...249).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func position(of message: KafkaIncomingMessage) -> String {
        "\(message.topic)/\(message.partition)@\(message.offset)"
    }

    /// Replays what `<topic>.dlq` holds beyond group `group`'s committed position back to the original topics,
    /// until caught up (`idle` without a message); each letter is committed only once its copy was acknowledged,
    /// so an interrupted replay resumes and a finished one does not send anything twice. `dryRun` reports every
    /// letter without producing or committing. Returns how many letters it handled; `report` sees each.
    public static func replay(
        topic: String, bootstrapServers: String, group: String, idle: Duration = .seconds(2), dryRun: Bool = false,
        report: @escaping @Sendable (KafkaIncomingMessage) -> Void
    ) async throws -> Int {
        guard isTopicName(Substring(topic)), !topic.hasSuffix(suffix) else {
            throw KafkaError(.configuration, "topic must be a Kafka topic name without \(suffix): \(String(reflecting: topic))")
        }
        // A dry run reads from the start under a throwaway group, so it commits nothing anyone resumes from.
        let consumer = try KafkaConsumer(
            bootstrapServers: bootstrapServers,
            groupID: dryRun ? "\(group)-dry-run-\(UInt64.random(in: 0...UInt64.max))" : group,
            topics: [topic + suffix], configuration: ["auto.offset.reset": "earliest"])
        defer { consumer.close() }
        let producer = dryRun ? nil : try KafkaProducer(bootstrapServers: bootstrapServers)
        return try await consumer.drain(idle: idle) { letter in
            if let producer { try await producer.send(replayed(letter)) }
            report(letter)
        }
    }
}
