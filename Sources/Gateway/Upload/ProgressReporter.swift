internal import FlowMessages
import Foundation
internal import MeshRPC
internal import MeshRPCProto
internal import ServiceKit

/// Publishes upload progress as transient `upload_progress` notifications (NotificationService.Publish), which
/// reach the uploader's open event streams. Rate-limited to every 5% or 500 ms, at most one publish in flight,
/// never waited for: progress is a courtesy and must not slow or fail the upload.
final class ProgressReporter: Sendable {
    private struct State: Sendable {
        var lastBytes: UInt64 = 0
        var lastTime = ContinuousClock.now
        var inFlight = false
    }

    private let client: RPCClient
    private let userID: String
    private let title: String
    private let total: UInt64
    private let startedMicros: UInt64
    private let started = ContinuousClock.now
    private let state = Locked(State())

    init(client: RPCClient, userID: String, fileName: String, total: UInt64) {
        self.client = client
        self.userID = userID
        title = "Uploading \(fileName)"
        self.total = total
        startedMicros = UInt64(Date().timeIntervalSince1970 * 1_000_000)
    }

    func report(_ done: UInt64) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            let stepDone = total > 0 && done - state.lastBytes >= max(total / 20, 1)
            guard !state.inFlight, stepDone || now - state.lastTime >= .milliseconds(500) else { return false }
            state = State(lastBytes: done, lastTime: now, inFlight: true)
            return true
        }
        if due { publish(done, fileID: "", finished: false) }
    }

    /// The last word: the committed file, 100%.
    func finished(fileID: String) {
        publish(total, fileID: fileID, finished: true)
    }

    private func publish(_ done: UInt64, fileID: String, finished: Bool) {
        var notification = Fileflow_V1_Notification()
        notification.userID = userID
        notification.kind = .uploadProgress
        notification.fileID = fileID
        notification.title = title
        notification.body = finished ? "Upload complete" : ""
        var progress = Fileflow_V1_TransferProgress()
        progress.bytesDone = done
        progress.bytesTotal = total
        progress.startedAtMicros = startedMicros
        progress.finished = finished
        let seconds = Double((ContinuousClock.now - started).components.seconds)
            + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        progress.bytesPerSecond = seconds > 0 ? Double(done) / seconds : 0
        progress.etaMillis = progress.bytesPerSecond > 0 && total >= done
            ? Int64(Double(total - done) / progress.bytesPerSecond * 1000) : -1
        notification.progress = progress
        let request = ClientRequest(metadata: Caller.metadata(for: userID), message: notification)
        Task { [client, state] in
            _ = try? await client.unary(
                Fileflow_V1_NotificationService.Method.Publish.self, request, options: CallOptions(timeout: .seconds(5)))
            state.withLock { $0.inFlight = false }
        }
    }
}
