import FlowJSON
import Foundation
import Glibc

/// A keep-alive HTTP/1.1 connection to the Zipkin collector, used only by the reporter thread: one `POST` at a time
/// over a blocking socket with timeouts.
///
/// Keeping the connection spares every batch a name lookup and a connect (and the collector an accept). It is
/// closed after any failure, and after a response that does not allow reuse (HTTP/1.0, `Connection: close`, a
/// body without `Content-Length`). A full HTTP client (async-http-client) would cost minutes of build time for one
/// request shape. Linux only (Glibc), like the rest of the deployment.
final class HTTPConnection {
    enum Outcome: Equatable {
        case delivered
        /// 4xx: the collector refused the batch; retrying cannot help.
        case rejected
        /// Connection failure, timeout, 5xx or a response we cannot read.
        case retryable
    }

    private let target: HTTPTarget
    private let timeout: TimeInterval
    /// The request head up to the `Content-Length` value.
    private let headPrefix: [UInt8]
    private var fd: Int32 = -1
    private var response = HTTPResponseReader()

    init(target: HTTPTarget, timeout: TimeInterval) {
        self.target = target
        self.timeout = timeout
        headPrefix = Array(
            ("POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
                + "Content-Type: application/json\r\nContent-Length: ").utf8)
    }

    deinit { close() }

    func post(_ body: UnsafeRawBufferPointer) -> Outcome {
        if fd >= 0 {
            switch exchange(body) {
            case .answered(let outcome): return outcome
            // The collector closed the idle connection before reading this request: send it on a fresh one.
            case .closedUnanswered: break
            case .failed: return .retryable
            }
        }
        guard let opened = Self.connect(to: target, timeout: timeout) else { return .retryable }
        fd = opened
        switch exchange(body) {
        case .answered(let outcome): return outcome
        case .closedUnanswered, .failed: return .retryable
        }
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    private enum Exchange {
        case answered(Outcome)
        /// The peer closed or reset the connection before any byte of an answer.
        case closedUnanswered
        case failed
    }

    /// Sends one request and reads its response; leaves the connection open only if it can carry the next one.
    private func exchange(_ body: UnsafeRawBufferPointer) -> Exchange {
        var head = headPrefix
        JSONText.appendDecimal(UInt64(body.count), to: &head)
        head.append(contentsOf: "\r\n\r\n".utf8)
        let sent = head.withUnsafeBytes { send($0, flags: Int32(MSG_MORE)) } && send(body, flags: 0)
        let result: HTTPResponseReader.Result
        if sent {
            result = response.read { buffer in recv(fd, buffer.baseAddress, buffer.count, 0) }
        } else {
            result = errno == EPIPE || errno == ECONNRESET ? .closedUnanswered : .failed
        }
        switch result {
        case .response(let status, let reusable):
            if !reusable { close() }
            switch status {
            case 200..<300: return .answered(.delivered)
            case 400..<500: return .answered(.rejected)
            default: return .answered(.retryable)
            }
        case .closedUnanswered:
            close()
            return .closedUnanswered
        case .failed:
            close()
            return .failed
        }
    }

    private func send(_ bytes: UnsafeRawBufferPointer, flags: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | flags)
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func connect(to target: HTTPTarget, timeout: TimeInterval) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &result) == 0, let first = result else {
            return nil
        }
        defer { freeaddrinfo(result) }
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let current = info {
            info = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            if connectWithTimeout(fd, current.pointee.ai_addr, current.pointee.ai_addrlen, timeout) {
                var value = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
                // The body's last segment must not wait for the collector's delayed ACK of the one before.
                var noDelay: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            Glibc.close(fd)
        }
        return nil
    }

    /// Non-blocking connect bounded by `poll`, so a black-holed collector costs at most `timeout`.
    private static func connectWithTimeout(
        _ fd: Int32,
        _ address: UnsafeMutablePointer<sockaddr>?,
        _ length: socklen_t,
        _ timeout: TimeInterval
    ) -> Bool {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pollfd, 1, Int32(timeout * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0
    }
}
