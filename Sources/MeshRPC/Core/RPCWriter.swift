/// A type-erased message writer. `write` suspends while the transport applies backpressure, so a
/// producer can never outrun a slow peer by more than the transport's buffer.
///
/// Writes are `nonisolated(nonsending)`: they run on the writer's executor, so a write that does not wait costs
/// no executor hop (with handlers preferring their event loop, each hop takes the task's status lock).
public struct RPCWriter<Element: Sendable>: Sendable {
    @usableFromInline let writeElement: (nonisolated(nonsending) @Sendable (Element) async throws -> Void)

    @inlinable
    public init(write: @escaping (nonisolated(nonsending) @Sendable (Element) async throws -> Void)) {
        self.writeElement = write
    }

    @inlinable
    nonisolated(nonsending) public func write(_ element: Element) async throws { try await writeElement(element) }

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
        finish: @escaping (nonisolated(nonsending) @Sendable ((any Error)?) async -> Void)
    ) {
        self.writer = RPCWriter(write: write)
        self.finishWriting = finish
    }

    @inlinable
    nonisolated(nonsending) public func write(_ element: Element) async throws { try await writer.write(element) }

    /// Ends the stream: normally when `error` is nil, otherwise by aborting it (RST_STREAM on HTTP/2).
    @inlinable
    nonisolated(nonsending) public func finish(throwing error: (any Error)? = nil) async { await finishWriting(error) }
}
