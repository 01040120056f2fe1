internal import FlowMessages

/// The REST "Notification object" (REST.md), also the `data:` of every Server-Sent Event.
struct NotificationRepresentation: Encodable, Sendable {
    struct Progress: Encodable, Sendable {
        var bytesDone: UInt64
        var bytesTotal: UInt64
    }

    var notificationID: String
    var kind: String
    var fileID: String
    var title: String
    var body: String
    var createdAt: String
    var read: Bool
    var sequence: UInt64
    var progress: Progress?

    /// nil for a kind this gateway does not know (the REST enum is closed).
    init?(_ notification: Fileflow_V1_Notification) {
        guard let kind = Self.kind(notification.kind) else { return nil }
        notificationID = notification.notificationID
        self.kind = kind
        fileID = notification.fileID
        title = notification.title
        body = notification.body
        createdAt = RFC3339.string(notification.createdAt)
        read = notification.read
        sequence = notification.sequence
        if notification.hasProgress {
            progress = Progress(bytesDone: notification.progress.bytesDone, bytesTotal: notification.progress.bytesTotal)
        }
    }

    static let kinds = ["upload_progress", "processing_done", "share_received", "file_deleted", "file_quarantined"]

    static func kind(_ kind: Fileflow_V1_NotificationKind) -> String? {
        switch kind {
        case .uploadProgress: "upload_progress"
        case .processingDone: "processing_done"
        case .shareReceived: "share_received"
        case .fileDeleted: "file_deleted"
        case .fileQuarantined: "file_quarantined"
        default: nil
        }
    }
}
