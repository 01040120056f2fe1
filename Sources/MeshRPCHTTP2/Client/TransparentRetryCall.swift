import MeshRPC
import NIOConcurrencyHelpers
import NIOCore

/// One call's stream on one connection, as the transport opened it.
struct ClientStreamAttempt: Sendable {
    let connection: ClientConnection
    let stream: RPCClientStream
    let responses: RPCAsyncSequence<RPCResponsePart>.AsyncIterator
    let refusal: StreamRefusal

    init(connection: ClientConnection, stream: RPCClientStream, refusal: StreamRefusal) {
        self.connection = connection
        self.stream = stream
        self.responses = stream.inbound.makeAsyncIterator()
        self.refusal = refusal
    }
}

/// A call that moves, at most once, to a new stream when the server provably never processed the first (gRPC's
/// transparent retry): the stream was refused, lay above a GOAWAY's last-stream-id, or could not be put on a
/// closing connection. The caller sees one stream throughout. Every request part is kept until it outgrows
/// `replayLimit` bytes, then the call can no longer be retried; a refusal always comes before any response
/// part, so nothing the caller saw is ever repeated.
final class TransparentRetryCall: Sendable {
    typealias Reopen = @Sendable (_ refused: ClientConnection) async throws -> ClientStreamAttempt

    private struct State {
        var attempt: ClientStreamAttempt
        /// Bumped when the call moves, so a write that failed on the abandoned stream is known to be replayed.
        var generation = 0
        /// The request parts sent so far; nil once too large, the caller aborted, the server answered, or after the
        /// retry.
        var replayLog: [RPCRequestPart]? = []
        var replayBytes = 0
        var requestEnded = false
        var retried = false
        /// While the log is replayed onto the new stream, later writes wait so the order is kept.
        var replaying = false
        var waitingForReplay: [CheckedContinuation<Void, Never>] = []
    }

    private let state: NIOLockedValueBox<State>
    private let replayLimit: Int
    private let deadline: ContinuousClock.Instant?
    private let reopen: Reopen

    init(first: ClientStreamAttempt, replayLimit: Int, deadline: ContinuousClock.Instant?, reopen: @escaping Reopen) {
        state = NIOLockedValueBox(State(attempt: first))
        self.replayLimit = replayLimit
        self.deadline = deadline
        self.reopen = reopen
    }

    /// The stream the caller uses, whichever attempt carries it.
    var stream: RPCClientStream {
        RPCClientStream(
            inbound: RPCAsyncSequence(makeNext: { self.nextResponsePart }),
            outbound: ClosableRPCWriter(write: { try await self.write($0) }, finish: { await self.finish($0) }))
    }

    // MARK: Request side

    private func write(_ part: RPCRequestPart) async throws {
        let (attempt, generation) = await currentAttempt { state in
            guard state.replayLog != nil else { return }
            state.replayBytes += part.replayBytes
            if state.replayBytes > replayLimit { state.replayLog = nil } else { state.replayLog?.append(part) }
        }
        do {
            try await attempt.stream.outbound.write(part)
        } catch {
            // A refused stream rejects writes; the part is in the log and goes to the next stream instead.
            let replayed = state.withLockedValue { state in
                state.generation != generation || (attempt.refusal.isMarked && state.replayLog != nil)
            }
            if !replayed { throw error }
        }
    }

    private func finish(_ error: (any Error)?) async {
        let attempt = await currentAttempt { state in
            if error == nil { state.requestEnded = true } else { state.replayLog = nil }
        }.0
        await attempt.stream.outbound.finish(throwing: error)
    }

    /// The attempt writes go to, after `record` ran under the same lock; waits out a replay in progress.
    private func currentAttempt(recording record: (inout State) -> Void) async -> (ClientStreamAttempt, Int) {
        while true {
            let current: (ClientStreamAttempt, Int)? = state.withLockedValue { state in
                guard !state.replaying else { return nil }
                record(&state)
                return (state.attempt, state.generation)
            }
            if let current { return current }
            await withCheckedContinuation { continuation in
                let waiting = state.withLockedValue { state in
                    if state.replaying { state.waitingForReplay.append(continuation) }
                    return state.replaying
                }
                if !waiting { continuation.resume() }
            }
        }
    }

    // MARK: Response side

    @Sendable private func nextResponsePart() async throws -> RPCResponsePart? {
        while true {
            let (attempt, replayable) = state.withLockedValue { ($0.attempt, $0.replayLog != nil) }
            var responses = attempt.responses
            let part = try await responses.next()
            if case .status = part, attempt.refusal.isMarked {
                if try await moveToNewAttempt(from: attempt) { continue }
            } else if replayable {
                // The server answered: the call is committed to this stream, and its request need not be kept.
                state.withLockedValue { $0.replayLog = nil }
            }
            return part
        }
    }

    /// Opens the next stream and replays the request onto it; false when the call may not be retried, and the
    /// refusal stands.
    private func moveToNewAttempt(from refused: ClientStreamAttempt) async throws -> Bool {
        let allowed = state.withLockedValue { state in
            guard !state.retried, state.replayLog != nil, !Task.isCancelled, deadline.map({ ContinuousClock.now < $0 }) ?? true else {
                return false
            }
            state.retried = true
            return true
        }
        guard allowed else { return false }
        let next = try await reopen(refused.connection)
        let replay: (parts: [RPCRequestPart], ended: Bool)? = state.withLockedValue { state in
            guard let log = state.replayLog else { return nil }  // the caller aborted, or outgrew the log, meanwhile
            state.attempt = next
            state.generation += 1
            state.replaying = true
            state.replayLog = nil
            return (log, state.requestEnded)
        }
        guard let replay else {
            await next.stream.outbound.finish(throwing: CancellationError())
            return false
        }
        do {
            for part in replay.parts { try await next.stream.outbound.write(part) }
            if replay.ended { await next.stream.outbound.finish() }
        } catch {
            // The new stream failed too; its responses carry the status the caller will see.
        }
        let waiting = state.withLockedValue { state in
            state.replaying = false
            defer { state.waitingForReplay.removeAll() }
            return state.waitingForReplay
        }
        for continuation in waiting { continuation.resume() }
        return true
    }
}

extension RPCRequestPart {
    /// What keeping this part for a replay costs.
    fileprivate var replayBytes: Int {
        switch self {
        case .metadata: return 0
        case .message(let bytes): return bytes.readableBytes
        }
    }
}
