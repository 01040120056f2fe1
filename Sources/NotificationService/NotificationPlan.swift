import FlowMessages
import Foundation
import PostgresStore
import ServiceKit

/// Who an event tells what: pure, so every rule is checked without a database.
///
/// - FileProcessed: the owner hears the outcome (PROCESSING_DONE, FILE_QUARANTINED, or a failure notice of kind
///   PROCESSING_DONE, there being no kind of its own for it).
/// - FileShared: the recipient gets SHARE_RECEIVED, unless the event is a revocation, or the share is gone or the
///   file trashed by the time the event is read (the name would reach someone who may no longer see the file).
/// - FileDeleted: the owner gets FILE_DELETED, and so does everyone the file is shared with (their copy vanishes
///   from "shared with me").
/// Uploads, restores and purges tell nobody anything here.
enum NotificationPlan {
    /// Whether `event` may give rise to notifications at all, so that others are skipped without a lookup.
    static func concerns(_ event: Fileflow_V1_FileEvent) -> Bool {
        switch event.kind {
        case .processed?, .shared?, .deleted?: true
        default: false
        }
    }

    /// The notifications `event` gives rise to, given its file as stored now (nil: no such file any more).
    static func notifications(for event: Fileflow_V1_FileEvent, file: FileFacts?) -> [NewNotification] {
        guard let file else { return [] }
        let fileID = event.fileID
        switch event.kind {
        case .processed(let processed)?:
            guard let (kind, title, body) = outcome(processed, name: file.name) else { return [] }
            return [note(file.ownerID, kind, fileID, title, body)]
        case .shared(let shared)?:
            guard !shared.revoked, !file.trashed, file.sharedWith.contains(shared.userID) else { return [] }
            let access = shared.permission == .write ? "read and change" : "read"
            return [note(shared.userID, .shareReceived, fileID, "\(file.ownerUsername) shared \(file.name) with you",
                         "You can \(access) it.")]
        case .deleted(let deleted)?:
            let until = deleted.hasPurgeAfter ? " until \(Self.date(deleted.purgeAfter))" : ""
            let owner = note(file.ownerID, .fileDeleted, fileID, "\(file.name) was moved to the trash",
                             "It can be restored\(until).")
            let recipients = file.sharedWith.sorted().map {
                note($0, .fileDeleted, fileID, "\(file.ownerUsername) deleted \(file.name)",
                     "The file shared with you is no longer available.")
            }
            return [owner] + recipients
        default:
            return []
        }
    }

    private static func outcome(_ processed: Fileflow_V1_FileProcessed, name: String)
        -> (Fileflow_V1_NotificationKind, String, String)?
    {
        switch processed.status {
        case .processed:
            let type = processed.detectedType.isEmpty ? "" : " Detected type: \(processed.detectedType)."
            return (.processingDone, "\(name) is ready", "Processing finished.\(type)")
        case .quarantined:
            return (.fileQuarantined, "\(name) was quarantined", reason(processed, otherwise: "A scan flagged it."))
        case .failed:
            return (.processingDone, "Processing \(name) failed", reason(processed, otherwise: "No reason was given."))
        default:
            return nil
        }
    }

    private static func reason(_ processed: Fileflow_V1_FileProcessed, otherwise: String) -> String {
        processed.reason.isEmpty ? otherwise : processed.reason
    }

    /// Texts are cut to what the store takes: a file name alone may fill a title.
    private static func note(
        _ userID: String, _ kind: Fileflow_V1_NotificationKind, _ fileID: String, _ title: String, _ body: String
    ) -> NewNotification {
        NewNotification(
            userID: userID, kind: Int(kind.rawValue), fileID: fileID,
            title: title.utf8Prefix(maxBytes: FileFlowStore.Limits.titleBytes),
            body: body.utf8Prefix(maxBytes: FileFlowStore.Limits.bodyBytes))
    }

    private static func date(_ timestamp: Google_Protobuf_Timestamp) -> String {
        Date(timeIntervalSince1970: TimeInterval(timestamp.seconds)).formatted(.iso8601)
    }
}
