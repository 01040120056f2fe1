/// A type-erased, throwing async sequence of messages: the shape every inbound stream takes, so call
/// shapes, interceptors and transports agree on one type without generic plumbing.
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    /// `next` functions are `nonisolated(nonsending)`, like `RPCWriter`'s writes: reading a part that is already
    /// there costs no executor hop.
    @usableFromInline let makeNext: @Sendable () -> (nonisolated(nonsending) @Sendable () async throws -> Element?)

    /// Wraps a factory of `next` functions; each iterator gets its own.
    @inlinable
    public init(
        makeNext: @escaping @Sendable () -> (nonisolated(nonsending) @Sendable () async throws -> Element?)
    ) {
        self.makeNext = makeNext
    }

    /// Wraps any async sequence whose iterator can be shared across suspension points.
    public init<Base: AsyncSequence & Sendable>(wrapping base: Base) where Base.Element == Element {
        self.makeNext = {
            let box = IteratorBox(base.makeAsyncIterator())
            return { try await box.next() }
        }
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

        @inlinable init(nextElement: @escaping (nonisolated(nonsending) @Sendable () async throws -> Element?)) {
            self.nextElement = nextElement
        }

        @inlinable nonisolated(nonsending) public mutating func next() async throws -> Element? {
            try await nextElement()
        }
    }

    @inlinable public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(nextElement: makeNext()) }

    /// Transforms each element; a throw from `transform` ends the sequence with that error.
    @inlinable
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Element) throws -> T) -> RPCAsyncSequence<T> {
        RPCAsyncSequence<T>(makeNext: {
            let next = self.makeNext()
            return { try await next().map(transform) }
        })
    }
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
