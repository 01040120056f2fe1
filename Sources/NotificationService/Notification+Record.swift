import FlowMessages
import PostgresStore
import ServiceKit

extension Fileflow_V1_Notification {
    init(_ record: NotificationRecord) {
        self.init()
        notificationID = record.notificationID
        userID = record.userID
        kind = Fileflow_V1_NotificationKind(rawValue: Int32(clamping: record.kind))
        fileID = record.fileID ?? ""
        title = record.title
        body = record.body
        createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
        read = record.read
        sequence = UInt64(clamping: record.sequence)
    }
}
