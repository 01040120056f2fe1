internal import CHiredis
import Glibc

/// A Redis reply, copied out of hiredis.
enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case integer(Int64)
    case null
    case status(String)
    case error(String)
    case array([RedisReply])

    var bytes: [UInt8]? { if case .string(let bytes) = self { return bytes } else { return nil } }
}

/// The only code that touches hiredis: one synchronous `redisContext`, used from one serial queue.
///
/// Pipelining: every command of a batch is appended to hiredis's output buffer and the replies are read
/// back in order, so a batch costs one round trip.
final class HiredisConnection {
    private let host: String
    private let port: Int32
    private let timeoutMillis: Int
    private var context: UnsafeMutablePointer<redisContext>?

    init(host: String, port: Int32, timeoutMillis: Int) {
        self.host = host
        self.port = port
        self.timeoutMillis = timeoutMillis
    }

    deinit { if let context { redisFree(context) } }

    /// Sends `commands` in one pipeline and returns their replies in order. A broken connection is dropped so
    /// the next call reconnects (e.g. after Redis restarts).
    func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply] {
        let context = try connected()
        do {
            for command in commands { try append(command, to: context) }
            var replies: [RedisReply] = []
            replies.reserveCapacity(commands.count)
            for _ in commands {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure(context, "reading a reply") }
                let reply = raw.assumingMemoryBound(to: redisReply.self)
                replies.append(Self.copy(reply))
                freeReplyObject(raw)
            }
            return replies
        } catch {
            redisFree(context)
            self.context = nil
            throw error
        }
    }

    private func connected() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let timeout = timeval(tv_sec: timeoutMillis / 1000, tv_usec: (timeoutMillis % 1000) * 1000)
        guard let fresh = redisConnectWithTimeout(host, port, timeout) else {
            throw CacheError(.unavailable, "redis: out of memory connecting")
        }
        guard fresh.pointee.err == 0 else {
            let error = failure(fresh, "connecting to \(host):\(port)")
            redisFree(fresh)
            throw error
        }
        _ = redisSetTimeout(fresh, timeout)
        context = fresh
        return fresh
    }

    private func append(_ command: [[UInt8]], to context: UnsafeMutablePointer<redisContext>) throws {
        // One buffer per command (hiredis copies it into its output buffer): argv points into it.
        let lengths = command.map(\.count)
        let joined = Array(command.joined()) + [0]
        let appended = joined.withUnsafeBufferPointer { buffer in
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
            }
            return redisAppendCommandArgv(context, Int32(command.count), &argv, lengths)
        }
        guard appended == REDIS_OK else { throw failure(context, "sending a command") }
    }

    private func failure(_ context: UnsafeMutablePointer<redisContext>, _ what: String) -> CacheError {
        let message = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return CacheError(.unavailable, "redis: \(what): \(message.isEmpty ? "connection closed" : message)")
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch Int32(r.type) {
        case REDIS_REPLY_STRING:
            return .string(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: r.len)) } ?? [])
        case REDIS_REPLY_INTEGER: return .integer(r.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_STATUS: return .status(r.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_ERROR: return .error(r.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).map { copy(r.element[$0]!) })
        default:
            return .error("unsupported reply type \(r.type)")
        }
    }
}
