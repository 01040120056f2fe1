/// Rows as the stores hand them out: plain values the services map to and from protobuf messages.
///
/// Timestamps are microseconds since the Unix epoch (what `google.protobuf.Timestamp` is built from); enums are
/// the protobuf enum numbers of common.proto (`FileStatus`, `Permission`, `JobState`, `NotificationKind`).

public struct UserRecord: Sendable, Hashable, Codable {
    public var userID: String
    public var username: String
    public var email: String
    public var displayName: String
    public var passwordHash: String
    public var isAdmin: Bool
    public var createdAtMicros: Int64
}

/// One block of a version, in file order; `sha256` is the block's address in the block store.
public struct BlockRecord: Sendable, Hashable, Codable {
    public var sha256: [UInt8]
    public var size: Int
    public var offset: Int64
    public var compression: Int
    public var storedSize: Int

    public init(sha256: [UInt8], size: Int, offset: Int64, compression: Int = 0, storedSize: Int = 0) {
        self.sha256 = sha256
        self.size = size
        self.offset = offset
        self.compression = compression
        self.storedSize = storedSize
    }
}

public struct FileRecord: Sendable, Hashable, Codable {
    public var fileID: String
    public var ownerID: String
    public var ownerUsername: String
    public var name: String
    public var contentType: String
    public var status: Int
    public var currentVersion: Int
    public var versionCount: Int
    public var size: Int64
    public var sha256: [UInt8]
    public var detectedType: String
    public var createdAtMicros: Int64
    public var updatedAtMicros: Int64
    public var deletedAtMicros: Int64?
    /// The owner's key/value tags (`FileLabels` says what is allowed).
    public var labels: [String: String]

    public init(
        fileID: String, ownerID: String, ownerUsername: String, name: String, contentType: String, status: Int,
        currentVersion: Int, versionCount: Int, size: Int64, sha256: [UInt8], detectedType: String,
        createdAtMicros: Int64, updatedAtMicros: Int64, deletedAtMicros: Int64?, labels: [String: String] = [:]
    ) {
        self.fileID = fileID
        self.ownerID = ownerID
        self.ownerUsername = ownerUsername
        self.name = name
        self.contentType = contentType
        self.status = status
        self.currentVersion = currentVersion
        self.versionCount = versionCount
        self.size = size
        self.sha256 = sha256
        self.detectedType = detectedType
        self.createdAtMicros = createdAtMicros
        self.updatedAtMicros = updatedAtMicros
        self.deletedAtMicros = deletedAtMicros
        self.labels = labels
    }
}

public struct VersionRecord: Sendable, Hashable, Codable {
    public var fileID: String
    public var version: Int
    public var size: Int64
    public var sha256: [UInt8]
    public var contentType: String
    public var createdAtMicros: Int64
    public var blocks: [BlockRecord]
}

public struct ShareRecord: Sendable, Hashable, Codable {
    public var fileID: String
    public var userID: String
    public var username: String
    public var permission: Int
    public var grantedBy: String
    public var createdAtMicros: Int64
}

public struct NotificationRecord: Sendable, Hashable {
    public var notificationID: String
    public var userID: String
    public var sequence: Int64
    public var kind: Int
    public var fileID: String?
    public var title: String
    public var body: String
    public var read: Bool
    public var createdAtMicros: Int64
}

public struct JobRecord: Sendable, Hashable {
    public var jobID: String
    public var fileID: String
    public var version: Int
    public var state: Int
    public var progress: Double
    public var stage: String
    public var error: String
    public var createdAtMicros: Int64
    public var updatedAtMicros: Int64
}

public struct QuotaRecord: Sendable, Hashable {
    public var userID: String
    public var usedBytes: Int64
    public var limitBytes: Int64
}

/// An event to announce, written to the outbox in the same transaction as the change it describes.
public struct OutboxMessage: Sendable, Hashable {
    /// The outbox row's sequence number; 0 until stored. Rows are published in this order.
    public var id: Int64
    public var eventID: String
    public var topic: String
    /// The Kafka key: the file id, so one file's events stay in one partition, in order.
    public var key: String
    public var payload: [UInt8]
    /// The `b3` trace header of the request that caused the event.
    public var b3: String

    public init(eventID: String, topic: String, key: String, payload: [UInt8], b3: String = "", id: Int64 = 0) {
        self.id = id
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.payload = payload
        self.b3 = b3
    }
}

/// A random (version 4) UUID in its lowercase text form, for new ids minted before a row exists.
public func newUUID() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    bytes[6] = bytes[6] & 0x0F | 0x40
    bytes[8] = bytes[8] & 0x3F | 0x80
    let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
    return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
}
