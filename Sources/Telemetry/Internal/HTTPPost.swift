import Foundation

import Glibc

/// Where spans are posted: host, port and path of a plain `http://` URL.
struct HTTPTarget: Sendable, Equatable {
    var host: String
    var port: UInt16
    var path: String

    init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "http",
            let host = components.host, !host.isEmpty
        else {
            throw TelemetryError(code: .invalidEndpoint, message: "Zipkin endpoint must be an http:// URL: \(url)")
        }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else {
            throw TelemetryError(code: .invalidEndpoint, message: "Zipkin endpoint port out of range: \(url)")
        }
        self.host = host
        self.port = UInt16(port)
        self.path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
    }
}

/// A one-shot HTTP/1.1 `POST` over a blocking socket with timeouts, run only on the reporter thread.
///
/// A full HTTP client (async-http-client) would cost minutes of build time for one request shape; this sends
/// `Connection: close` and reads only the status line.
/// Linux only (Glibc), like the rest of the deployment.
enum HTTPPost {
    enum Outcome: Equatable {
        case delivered
        /// 4xx: the collector refused the batch; retrying cannot help.
        case rejected
        /// Connection failure, timeout or 5xx.
        case retryable
    }

    static func send(_ body: Data, to target: HTTPTarget, timeout: TimeInterval) -> Outcome {
        guard let fd = connect(to: target, timeout: timeout) else { return .retryable }
        defer { close(fd) }
        let head =
            "POST \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        guard writeAll(fd, Data(head.utf8)), writeAll(fd, body) else { return .retryable }
        var buffer = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 12 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 64 - received, 0) }
            guard count > 0 else { return .retryable }
            received += count
        }
        // "HTTP/1.1 202 ..." — the status code is bytes 9...11.
        guard let status = Int(String(decoding: buffer[9..<12], as: UTF8.self)) else { return .retryable }
        switch status {
        case 200..<300: return .delivered
        case 400..<500: return .rejected
        default: return .retryable
        }
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
                return fd
            }
            close(fd)
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

    private static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }
}
