import Synchronization

/// A single-consumer async queue with byte-counted backpressure, for transports.
///
/// The producer (an event loop) `yield`s and learns whether the consumer is keeping up; when it is
/// not, the transport stops granting flow-control credit. Once the consumer drains below the low
/// watermark, `onDemand` fires once so the transport can grant credit again. This is how a slow
/// reader stops a fast writer end to end without unbounded buffering.
///
/// `@inlinable` throughout so each transport gets a copy specialized for its part type: unspecialized,
/// every call looked up the generic metadata of the state, continuation and tuple types (~10% of a
/// unary call's CPU).
public final class RPCMessageQueue<Element: Sendable>: Sendable {
    @usableFromInline
    struct State: Sendable {
        @usableFromInline var buffer: [Element] = []
        @usableFromInline var head = 0
        @usableFromInline var bufferedBytes = 0
        @usableFromInline var waiter: CheckedContinuation<Element?, any Error>?
        @usableFromInline var end: Result<Void, any Error>?
        @usableFromInline var consumerCancelled = false
        @usableFromInline var demandPending = false

        /// Room for a unary call's parts (metadata, message, status) up front: one allocation, not one per growth.
        @inlinable init() { buffer.reserveCapacity(4) }
    }

    /// A `Mutex` held inline: one allocation per queue fewer than a boxed lock. Set in the (specialized) `init`,
    /// not by a property initializer, which would look up the generic `Mutex<State>` metadata at run time.
    @usableFromInline let state: Mutex<State>
    @usableFromInline let sizeOf: @Sendable (Element) -> Int
    @usableFromInline let highWatermark: Int
    @usableFromInline let lowWatermark: Int
    @usableFromInline let onDemand: @Sendable () -> Void
    @usableFromInline let onConsumerCancelled: @Sendable () -> Void

    @inlinable
    public init(
        highWatermark: Int = .max,
        lowWatermark: Int = 0,
        sizeOf: @escaping @Sendable (Element) -> Int = { _ in 1 },
        onDemand: @escaping @Sendable () -> Void = {},
        onConsumerCancelled: @escaping @Sendable () -> Void = {}
    ) {
        state = Mutex(State())
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.sizeOf = sizeOf
        self.onDemand = onDemand
        self.onConsumerCancelled = onConsumerCancelled
    }

    /// Enqueues `element` (dropped if the stream already ended); returns whether the producer may
    /// continue, false meaning "over the high watermark: wait for `onDemand`".
    @inlinable
    @discardableResult
    public func yield(_ element: Element) -> Bool {
        let size = sizeOf(element)
        let (waiter, mayContinue): (CheckedContinuation<Element?, any Error>?, Bool) = state.withLock { state in
            guard state.end == nil, !state.consumerCancelled else { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.buffer.append(element)
            state.bufferedBytes += size
            if state.bufferedBytes > highWatermark {
                state.demandPending = true
                return (nil, false)
            }
            return (nil, true)
        }
        waiter?.resume(returning: element)
        return mayContinue
    }

    /// Whether the consumer has room: the producer checks this before granting more credit.
    @inlinable
    public var isAcceptingMore: Bool {
        state.withLock { state in
            if state.bufferedBytes > highWatermark { state.demandPending = true }
            return !state.demandPending
        }
    }

    /// Ends the stream after the buffered elements, with `error` if given.
    @inlinable
    public func finish(throwing error: (any Error)? = nil) {
        let waiter: CheckedContinuation<Element?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = error.map { .failure($0) } ?? .success(())
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// The next element if one is buffered, or the end if the stream ended, without waiting; throws like `next`.
    @inlinable
    public func poll() throws -> RPCPoll<Element> {
        let immediate: QueueRead<Element> = state.withLock { state in
            if state.consumerCancelled { return .cancelled }
            if state.head < state.buffer.count {
                let element = state.buffer[state.head]
                state.head += 1
                if state.head == state.buffer.count {
                    state.buffer.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                state.bufferedBytes -= sizeOf(element)
                var demand = false
                if state.demandPending && state.bufferedBytes <= lowWatermark {
                    state.demandPending = false
                    demand = true
                }
                return .element(element, demand: demand)
            }
            if let end = state.end { return .end(end) }
            return .wait
        }
        switch immediate {
        case .element(let element, let demand):
            if demand { onDemand() }
            return .element(element)
        case .end(let end):
            try end.get()
            return .end
        case .cancelled:
            throw CancellationError()
        case .wait:
            return .wouldWait
        }
    }

    /// The next element, nil at a normal end; throws the stream's error, or `CancellationError` when
    /// the consuming task is cancelled (which also reports the cancellation to the producer).
    @inlinable
    nonisolated(nonsending) public func next() async throws -> Element? {
        switch try poll() {
        case .element(let element): return element
        case .end: return nil
        case .wouldWait: return try await waitForNext()
        }
    }

    /// The waiting half of `next`, for when `poll` found nothing: the sequence's iterators poll first themselves.
    @inlinable
    nonisolated(nonsending) func waitForNext() async throws -> Element? {
        if state.withLock({ $0.demandPending }) {
            state.withLock { $0.demandPending = false }
            onDemand()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resolved: Result<Element?, any Error>? = state.withLock { state in
                    if Task.isCancelled || state.consumerCancelled {
                        state.consumerCancelled = true
                        return .failure(CancellationError())
                    }
                    if state.head < state.buffer.count {
                        let element = state.buffer[state.head]
                        state.head += 1
                        state.bufferedBytes -= sizeOf(element)
                        return .success(element)
                    }
                    if let end = state.end { return end.map { nil } }
                    state.waiter = continuation
                    return nil
                }
                if let resolved { continuation.resume(with: resolved) }
            }
        } onCancel: {
            self.cancelConsumer()
        }
    }

    /// Marks the consumer as gone: pending and future reads throw `CancellationError`, the producer's
    /// elements are dropped and `onConsumerCancelled` tells the transport (to reset the stream).
    @inlinable
    public func cancelConsumer() {
        let (waiter, first): (CheckedContinuation<Element?, any Error>?, Bool) = state.withLock { state in
            let first = !state.consumerCancelled && state.end == nil
            state.consumerCancelled = true
            state.buffer.removeAll()
            state.head = 0
            state.bufferedBytes = 0
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, first)
        }
        waiter?.resume(throwing: CancellationError())
        if first { onConsumerCancelled() }
    }

    /// The queue as an `RPCAsyncSequence`; the queue allows one iterator.
    @inlinable
    public var sequence: RPCAsyncSequence<Element> {
        RPCAsyncSequence(makeNext: { { try await self.waitForNext() } }, poll: { try self.poll() })
    }
}

/// What `RPCMessageQueue.next` finds without waiting.
@usableFromInline
enum QueueRead<Element> {
    case element(Element, demand: Bool)
    case end(Result<Void, any Error>)
    case wait
    case cancelled
}
