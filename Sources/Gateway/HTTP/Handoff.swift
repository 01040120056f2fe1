internal import Synchronization

/// A bounded hand-off between tasks: producers (an RPC stream, a heartbeat timer) `send`, one consumer (the task
/// writing an HTTP response body) takes elements with `next`. `send` suspends while `capacity` elements wait, so a
/// slow client slows the RPC instead of filling memory. `cancel` (or cancelling either side's task) ends it for
/// both sides with `CancellationError`.
final class Handoff<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var ending: Result<Void, any Error>?
        var consumer: CheckedContinuation<Element?, any Error>?
        var producers: [CheckedContinuation<Void, any Error>] = []
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func send(_ element: Element) async throws {
        while true {
            let accepted: Bool = try state.withLock { state in
                if case .failure(let error)? = state.ending { throw error }
                guard state.ending == nil else { throw CancellationError() }
                if let consumer = state.consumer {
                    state.consumer = nil
                    consumer.resume(returning: element)
                    return true
                }
                guard state.buffer.count < capacity else { return false }
                state.buffer.append(element)
                return true
            }
            if accepted { return }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    state.withLock { state in
                        if state.ending != nil || state.buffer.count < capacity {
                            continuation.resume()
                        } else {
                            state.producers.append(continuation)
                        }
                    }
                }
            } onCancel: {
                self.cancel()
            }
        }
    }

    /// The next element; nil once finished and drained; throws the failure `finish` was given.
    func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let waiting: [CheckedContinuation<Void, any Error>] = state.withLock { state in
                    if !state.buffer.isEmpty {
                        continuation.resume(returning: state.buffer.removeFirst())
                        defer { state.producers.removeAll() }
                        return state.producers
                    }
                    switch state.ending {
                    case .success?: continuation.resume(returning: nil)
                    case .failure(let error)?: continuation.resume(throwing: error)
                    case nil: state.consumer = continuation
                    }
                    return []
                }
                waiting.forEach { $0.resume() }
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// No more elements: the consumer drains what is buffered, then gets nil (or `error`).
    func finish(throwing error: (any Error)? = nil) {
        end(error.map { .failure($0) } ?? .success(()), dropBuffered: false)
    }

    func cancel() {
        end(.failure(CancellationError()), dropBuffered: true)
    }

    private func end(_ ending: Result<Void, any Error>, dropBuffered: Bool) {
        let (consumer, producers, result) = state.withLock { state in
            if state.ending == nil || dropBuffered { state.ending = ending }
            if dropBuffered { state.buffer.removeAll() }
            defer {
                state.consumer = nil
                state.producers.removeAll()
            }
            return (state.buffer.isEmpty ? state.consumer : nil, state.producers, state.ending!)
        }
        switch result {
        case .success: consumer?.resume(returning: nil)
        case .failure(let error): consumer?.resume(throwing: error)
        }
        for producer in producers {
            if dropBuffered { producer.resume(throwing: CancellationError()) } else { producer.resume() }
        }
    }
}
