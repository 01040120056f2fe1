/// A type-erased, throwing async sequence of messages: the shape every inbound stream takes, so call
/// shapes, interceptors and transports agree on one type without generic plumbing.
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    /// `next` functions are `nonisolated(nonsending)`, like `RPCWriter`'s writes: reading a part that is already
    /// there costs no executor hop.
    @usableFromInline let makeNext: @Sendable () -> (nonisolated(nonsending) @Sendable () async throws -> Element?)
    /// Reads what is already there without suspending, for a sequence whose iterators share one source (a
    /// transport's stream). Iterators try it first and `next` is inlined into its callers, so a read that does not
    /// wait makes no `await` (every resumption after one checks the executor, taking the task's status lock).
    @usableFromInline let poll: (@Sendable () throws -> RPCPoll<Element>)?

    /// Wraps a factory of `next` functions; each iterator gets its own.
    @inlinable
    public init(
        makeNext: @escaping @Sendable () -> (nonisolated(nonsending) @Sendable () async throws -> Element?),
        poll: (@Sendable () throws -> RPCPoll<Element>)? = nil
    ) {
        self.makeNext = makeNext
        self.poll = poll
    }

    /// Wraps any async sequence whose iterator can be shared across suspension points.
    public init<Base: AsyncSequence & Sendable>(wrapping base: Base) where Base.Element == Element {
        self.makeNext = {
            let box = IteratorBox(base.makeAsyncIterator())
            return { try await box.next() }
        }
        self.poll = nil
    }

    public static var empty: RPCAsyncSequence<Element> {
        RPCAsyncSequence(makeNext: { { nil } })
    }

    /// A sequence of the given elements, for tests and unary requests.
    public static func elements(_ elements: [Element]) -> RPCAsyncSequence<Element> {
        RPCAsyncSequence(makeNext: {
            let box = IteratorBox(elements.makeIterator())
            return { box.nextSync() }
        })
    }

    /// Sendable: it only holds the shared `next` function, so copies advance the same stream.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        @usableFromInline let nextElement: (nonisolated(nonsending) @Sendable () async throws -> Element?)
        @usableFromInline let pollElement: (@Sendable () throws -> RPCPoll<Element>)?

        @inlinable init(
            nextElement: @escaping (nonisolated(nonsending) @Sendable () async throws -> Element?),
            pollElement: (@Sendable () throws -> RPCPoll<Element>)?
        ) {
            self.nextElement = nextElement
            self.pollElement = pollElement
        }

        @inlinable nonisolated(nonsending) public mutating func next() async throws -> Element? {
            switch try poll() {
            case .element(let element): return element
            case .end: return nil
            case .wouldWait: return try await nextElement()
            }
        }

        /// The next element if it is there, or the end if it came, without waiting (`wouldWait` when the
        /// sequence cannot tell without waiting).
        @inlinable public func poll() throws -> RPCPoll<Element> {
            guard let pollElement else { return .wouldWait }
            return try pollElement()
        }
    }

    @inlinable public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextElement: makeNext(), pollElement: poll)
    }

    /// Transforms each element; a throw from `transform` ends the sequence with that error.
    @inlinable
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Element) throws -> T) -> RPCAsyncSequence<T> {
        var mappedPoll: (@Sendable () throws -> RPCPoll<T>)?
        if let poll {
            mappedPoll = { () throws -> RPCPoll<T> in
                switch try poll() {
                case .element(let element): return .element(try transform(element))
                case .end: return .end
                case .wouldWait: return .wouldWait
                }
            }
        }
        return RPCAsyncSequence<T>(
            makeNext: {
                let next = self.makeNext()
                return { try await next().map(transform) }
            },
            poll: mappedPoll)
    }
}

/// What a read finds without waiting.
public enum RPCPoll<Element: Sendable>: Sendable {
    case element(Element)
    /// The stream ended normally (an abnormal end throws).
    case end
    case wouldWait
}

/// Holds a non-Sendable iterator; an RPC stream has one consumer at a time by contract.
private final class IteratorBox<Iterator>: @unchecked Sendable {
    var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }
}

extension IteratorBox where Iterator: AsyncIteratorProtocol {
    func next() async throws -> Iterator.Element? { try await iterator.next() }
}

extension IteratorBox where Iterator: IteratorProtocol {
    func nextSync() -> Iterator.Element? { iterator.next() }
}
