import NIOConcurrencyHelpers

/// Set by the connection (on its event loop) before it fails a call the server provably never processed; read by
/// the caller's task once it sees the call's status, to decide whether a transparent retry is safe.
final class StreamRefusal: Sendable {
    private let marked = NIOLockedValueBox(false)

    func mark() { marked.withLockedValue { $0 = true } }

    var isMarked: Bool { marked.withLockedValue { $0 } }
}
