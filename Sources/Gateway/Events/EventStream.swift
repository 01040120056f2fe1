internal import FlowMessages
import Foundation
internal import Hummingbird
internal import MeshRPC
internal import MeshRPCProto
internal import ServiceKit
internal import ServiceLifecycle

/// `GET /api/v1/events`: the caller's notifications as Server-Sent Events, relayed from
/// `NotificationService.Subscribe`. Stored notifications carry their sequence as the event id, so a client that
/// reconnects with `Last-Event-ID` (or `?last_event_id=`) gets what it missed; transient upload progress has no id.
/// A `: ping` comment keeps idle connections open. A slow reader slows its subscription (bounded hand-off) rather
/// than growing memory. The subscription ends when the client goes away or the gateway shuts down. Each user may
/// hold `maxEventStreamsPerUser` streams at once; one more is 429 until one of them ends.
extension GatewayAPI {
    /// What a refused stream is told to wait: a slot frees only when another stream ends, which no one can predict.
    static let eventStreamRetrySeconds = 5

    func registerEvents(on router: Router<GatewayContext>) {
        router.get("/api/v1/events") { request, _ in
            let caller = try await self.caller(request)
            var subscribe = Fileflow_V1_SubscribeRequest()
            subscribe.userID = caller.id
            subscribe.afterSequence = try Self.lastEventID(request)
            guard let slot = self.eventStreams.acquire(caller.id) else {
                throw APIError.tooManyRequests(
                    "at most \(self.eventStreams.limitPerUser) event streams may be open per user; close one first",
                    retryAfterSeconds: Self.eventStreamRetrySeconds, code: "too_many_streams")
            }
            let call = ClientRequest(metadata: Caller.metadata(for: caller.id), message: subscribe)
            let (client, heartbeat, logger) = (
                self.mesh.notification, Duration.seconds(self.configuration.heartbeatSeconds), self.logger
            )
            let headers: HTTPFields = [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
                .xAccelBuffering: "no",
            ]
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                defer { slot.release() }
                let frames = Handoff<ByteBuffer>(capacity: 256)
                try await request.body.consumeWithInboundCloseHandler({ _ in
                    try await withGracefulShutdownHandler {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                do {
                                    try await client.serverStreaming(
                                        Fileflow_V1_NotificationService.Method.Subscribe.self, call
                                    ) { response in
                                        for try await notification in response.messages {
                                            if let frame = ServerSentEvent.frame(notification) { try await frames.send(frame) }
                                        }
                                    }
                                    frames.finish()
                                } catch {
                                    logger.debug("event subscription ended", metadata: ["error": "\(error)"])
                                    frames.finish(throwing: error)
                                }
                            }
                            group.addTask {
                                while true {
                                    try await Task.sleep(for: heartbeat)
                                    try await frames.send(ByteBuffer(string: ": ping\n\n"))
                                }
                            }
                            defer {
                                frames.cancel()
                                group.cancelAll()
                            }
                            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                            while let frame = try await frames.next() { try await writer.write(frame) }
                        }
                    } onGracefulShutdown: {
                        frames.finish()
                    }
                }, onInboundClosed: {
                    frames.cancel()
                })
                try await writer.finish(nil)
            })
        }
    }

    /// Where to resume: `Last-Event-ID` (what EventSource sends on reconnect) or `?last_event_id=`; 0 for live only.
    static func lastEventID(_ request: Request) throws -> UInt64 {
        let query = try QueryParameters(request)
        guard let raw = request.headers[.lastEventID] ?? query["last_event_id"], !raw.isEmpty else { return 0 }
        guard let sequence = UInt64(raw) else { throw APIError.invalid("Last-Event-ID must be a notification sequence") }
        return sequence
    }
}

enum ServerSentEvent {
    /// `id:` (stored notifications only), `event:` and one `data:` line of JSON, or nil for an unknown kind.
    static func frame(_ notification: Fileflow_V1_Notification) -> ByteBuffer? {
        guard let representation = NotificationRepresentation(notification),
            let json = try? JSONResponse.encoder.encode(representation)
        else { return nil }
        var text = ""
        if notification.sequence > 0 && notification.kind != .uploadProgress { text += "id: \(notification.sequence)\n" }
        text += "event: \(representation.kind)\ndata: "
        var buffer = ByteBuffer(string: text)
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
