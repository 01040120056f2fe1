import Glibc
import Testing

@testable import Telemetry

/// The collector's answers, well-formed and hostile, arriving whole or a few bytes at a time.
@Suite struct HTTPResponseReaderTests {
    /// Feeds `chunks` one per `recv`, then end of stream.
    func read(_ chunks: [String]) -> HTTPResponseReader.Result {
        var reader = HTTPResponseReader()
        var remaining = chunks.map { Array($0.utf8) }[...]
        return reader.read { buffer in
            guard var chunk = remaining.first else { return 0 }
            let count = min(chunk.count, buffer.count)
            buffer.copyBytes(from: chunk[..<count])
            chunk.removeFirst(count)
            if chunk.isEmpty { remaining.removeFirst() } else { remaining[remaining.startIndex] = chunk }
            return count
        }
    }

    @Test func keepAliveAnswerIsReusable() {
        #expect(read(["HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"]) == .response(status: 202, reusable: true))
    }

    @Test func headAndBodySplitAcrossReadsAreReassembled() {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
        #expect(read(text.map { String($0) }) == .response(status: 200, reusable: true))
    }

    @Test(arguments: [
        "HTTP/1.0 202 Accepted\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nabc",
        "HTTP/1.1 202 Accepted\r\nContent-Length: 999999999\r\n\r\n",
    ])
    func answersThatEndTheConnectionStillCarryTheirStatus(answer: String) {
        #expect(read([answer]) == .response(status: 202, reusable: false))
    }

    @Test func http10KeepAliveIsHonoured() {
        #expect(read(["HTTP/1.0 400 Bad Request\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"])
            == .response(status: 400, reusable: true))
    }

    @Test func bodylessStatusesNeedNoLength() {
        #expect(read(["HTTP/1.1 204 No Content\r\n\r\n"]) == .response(status: 204, reusable: true))
    }

    @Test(arguments: [
        "hello\r\n\r\n",
        "HTTP/1.1 2x2 Accepted\r\n\r\n",
        "HTTP/1.1 20 Accepted\r\n\r\n",
        "HTTP/2 202\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nno colon here\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nContent-Length: 12abc\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nContent-Length: 0",
    ])
    func malformedOrTruncatedAnswersFail(answer: String) {
        #expect(read([answer]) == .failed)
    }

    @Test func oversizedHeadFailsWithinTheBuffer() {
        let endless = "HTTP/1.1 202 Accepted\r\nX-Filler: " + String(repeating: "a", count: 10_000)
        #expect(read([endless, "\r\n\r\n"]) == .failed)
    }

    @Test func closeBeforeAnyByteIsTellable() {
        #expect(read([]) == .closedUnanswered)
    }
}
