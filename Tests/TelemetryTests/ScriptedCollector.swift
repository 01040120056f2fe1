import Foundation
import Glibc
import Synchronization

/// A loopback HTTP/1.1 collector on its own thread that answers every request with `response`, to test how the
/// reporter's connection is kept or replaced. With `closeAfterEach` it closes each connection right after its
/// first answer without saying so, as a collector dropping idle connections does.
final class ScriptedCollector: Sendable {
    let port: UInt16
    private let listener: Int32
    private let state = Mutex((connections: 0, requests: 0, spans: 0))

    init(response: String = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", closeAfterEach: Bool) throws {
        (listener, port) = try LoopbackSocket.listen()
        let thread = Thread { [self] in serve(Array(response.utf8), closeAfterEach: closeAfterEach) }
        thread.start()
    }

    var connections: Int { state.withLock { $0.connections } }
    var requests: Int { state.withLock { $0.requests } }
    /// Spans received, counted by their `"traceId"` keys.
    var spans: Int { state.withLock { $0.spans } }

    /// Stops accepting; connections already open end with the reporter's.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    private func serve(_ response: [UInt8], closeAfterEach: Bool) {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                close(listener)
                return
            }
            state.withLock { $0.connections += 1 }
            var pending: [UInt8] = []
            while let body = Self.readRequest(connection, &pending) {
                let spans = Self.count(Array("\"traceId\"".utf8), in: body)
                state.withLock {
                    $0.requests += 1
                    $0.spans += spans
                }
                _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if closeAfterEach { break }
            }
            close(connection)
        }
    }

    /// The body of the next request on `connection` (framed by `Content-Length`), or nil when it closes.
    private static func readRequest(_ connection: Int32, _ pending: inout [UInt8]) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        func receive() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            pending.append(contentsOf: chunk[..<count])
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        var headEnd = pending.firstRange(of: separator)
        while headEnd == nil {
            guard receive() else { return nil }
            headEnd = pending.firstRange(of: separator)
        }
        let head = String(decoding: pending[..<headEnd!.lowerBound], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        while pending.count < headEnd!.upperBound + length {
            guard receive() else { return nil }
        }
        let body = Array(pending[headEnd!.upperBound..<(headEnd!.upperBound + length)])
        pending.removeFirst(headEnd!.upperBound + length)
        return body
    }

    private static func count(_ needle: [UInt8], in haystack: [UInt8]) -> Int {
        var count = 0
        var rest = haystack[...]
        while let found = rest.firstRange(of: needle) {
            count += 1
            rest = rest[found.upperBound...]
        }
        return count
    }
}
