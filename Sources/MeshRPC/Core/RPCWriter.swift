/// A type-erased message writer. `write` suspends while the transport applies backpressure, so a
/// producer can never outrun a slow peer by more than the transport's buffer.
///
/// Writes are `nonisolated(nonsending)`: they run on the writer's executor, so a write that does not wait costs
/// no executor hop (with handlers preferring their event loop, each hop takes the task's status lock).
///
/// A transport may also give a synchronous `tryWrite` that queues the element when that needs no waiting: `write`
/// tries it first, and since `write` is inlined into its callers, a write that does not wait makes no `await` at all
/// (every resumption after an `await` checks the executor, taking the task's status lock).
public struct RPCWriter<Element: Sendable>: Sendable {
    @usableFromInline let writeElement: (nonisolated(nonsending) @Sendable (Element) async throws -> Void)
    /// Queues the element and returns true, or returns false (leaving it unwritten) when the writer must wait.
    @usableFromInline let tryWriteElement: (@Sendable (Element) throws -> Bool)?

    @inlinable
    public init(
        write: @escaping (nonisolated(nonsending) @Sendable (Element) async throws -> Void),
        tryWrite: (@Sendable (Element) throws -> Bool)? = nil
    ) {
        self.writeElement = write
        self.tryWriteElement = tryWrite
    }

    @inlinable
    nonisolated(nonsending) public func write(_ element: Element) async throws {
        if let tryWriteElement, try tryWriteElement(element) { return }
        try await writeElement(element)
    }

    nonisolated(nonsending) public func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements { try await write(element) }
    }

    /// A writer of `T` that transforms each value and writes it here.
    @inlinable
    public func map<T: Sendable>(_ transform: @escaping @Sendable (T) throws -> Element) -> RPCWriter<T> {
        RPCWriter<T> { try await self.write(transform($0)) }
    }
}

/// A writer whose end is signalled explicitly: the transport's side of an outbound stream.
public struct ClosableRPCWriter<Element: Sendable>: Sendable {
    public let writer: RPCWriter<Element>
    @usableFromInline let finishWriting: (nonisolated(nonsending) @Sendable ((any Error)?) async -> Void)

    @inlinable
    public init(
        write: @escaping (nonisolated(nonsending) @Sendable (Element) async throws -> Void),
        tryWrite: (@Sendable (Element) throws -> Bool)? = nil,
        finish: @escaping (nonisolated(nonsending) @Sendable ((any Error)?) async -> Void)
    ) {
        self.writer = RPCWriter(write: write, tryWrite: tryWrite)
        self.finishWriting = finish
    }

    @inlinable
    nonisolated(nonsending) public func write(_ element: Element) async throws { try await writer.write(element) }

    /// Ends the stream: normally when `error` is nil, otherwise by aborting it (RST_STREAM on HTTP/2).
    @inlinable
    nonisolated(nonsending) public func finish(throwing error: (any Error)? = nil) async { await finishWriting(error) }
}
