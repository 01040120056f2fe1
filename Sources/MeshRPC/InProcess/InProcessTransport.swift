import NIOConcurrencyHelpers

/// A client and server transport joined in memory: the full RPC core (routing, interceptors,
/// deadlines, cancellation) without sockets, for fast tests of services.
public enum InProcessTransport {
    /// A connected pair: streams the client opens are served by whoever `listen`s on the server.
    public static func makePair() -> (client: InProcessClientTransport, server: InProcessServerTransport) {
        let server = InProcessServerTransport()
        return (InProcessClientTransport(server: server), server)
    }
}

/// The serving half of an in-process pair.
public final class InProcessServerTransport: ServerTransport, Sendable {
    private struct State {
        var handler: RPCStreamHandler?
        var readyWaiters: [CheckedContinuation<Void, Never>] = []
        var stopped: CheckedContinuation<Void, Never>?
        var shuttingDown = false
        var openStreams = 0
    }

    private let state = NIOLockedValueBox(State())

    public func listen(_ handler: @escaping RPCStreamHandler) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiters = state.withLockedValue { state in
                state.handler = handler
                state.stopped = continuation
                defer { state.readyWaiters = [] }
                return state.readyWaiters
            }
            waiters.forEach { $0.resume() }
        }
    }

    public func beginGracefulShutdown() {
        let stopped = state.withLockedValue { state in
            state.shuttingDown = true
            return finishIfDrained(&state)
        }
        stopped?.resume()
    }

    private func finishIfDrained(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard state.shuttingDown, state.openStreams == 0 else { return nil }
        state.handler = nil
        defer { state.stopped = nil }
        return state.stopped
    }

    /// The handler for a new stream, waiting for `listen` when `waitForReady`; nil when not serving.
    fileprivate func acquire(waitForReady: Bool) async -> RPCStreamHandler? {
        enum Next { case handler(RPCStreamHandler), unavailable, wait }
        while true {
            let next: Next = state.withLockedValue { state in
                if state.shuttingDown { return .unavailable }
                if let handler = state.handler {
                    state.openStreams += 1
                    return .handler(handler)
                }
                return waitForReady ? .wait : .unavailable
            }
            switch next {
            case .handler(let handler): return handler
            case .unavailable: return nil
            case .wait: await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state in
                    if state.handler != nil || state.shuttingDown { return true }
                    state.readyWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            }
        }
    }

    fileprivate func release() {
        let stopped = state.withLockedValue { state in
            state.openStreams -= 1
            return finishIfDrained(&state)
        }
        stopped?.resume()
    }
}

/// The calling half of an in-process pair.
public struct InProcessClientTransport: ClientTransport {
    let server: InProcessServerTransport

    public func withStream<T: Sendable>(
        descriptor: MethodDescriptor,
        options: CallOptions,
        deadline: ContinuousClock.Instant?,
        _ body: (RPCClientStream) async throws -> T
    ) async throws -> T {
        guard let handler = await server.acquire(waitForReady: options.waitForReady) else {
            throw RPCError(code: .unavailable, message: "The in-process server is not serving.")
        }
        let requests = RPCMessageQueue<RPCRequestPart>()
        let responses = RPCMessageQueue<RPCResponsePart>()
        let serverStream = RPCServerStream(
            path: descriptor.path,
            deadline: deadline,
            peer: .inProcess,
            inbound: requests.sequence,
            outbound: ClosableRPCWriter(
                write: { part in
                    if Task.isCancelled { throw RPCError(code: .cancelled, message: "The client cancelled the RPC.") }
                    responses.yield(part)
                },
                finish: { error in responses.finish(throwing: error) }
            )
        )
        let server = self.server
        let serverTask = Task {
            await handler(serverStream)
            server.release()
        }
        let clientStream = RPCClientStream(
            inbound: responses.sequence,
            outbound: ClosableRPCWriter(
                write: { part in requests.yield(part) },
                finish: { error in
                    if let error {
                        requests.finish(throwing: error)
                        serverTask.cancel()
                    } else {
                        requests.finish()
                    }
                }
            )
        )
        do {
            let result = try await body(clientStream)
            requests.finish()
            return result
        } catch {
            // Like RST_STREAM CANCEL: the handler's reads fail and its task is cancelled.
            requests.finish(throwing: RPCError(code: .cancelled, message: "The client cancelled the RPC."))
            serverTask.cancel()
            throw error
        }
    }
}
