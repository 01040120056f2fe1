public import NIOCore
import NIOPosix

/// A virus scan through ClamAV's clamd, with its INSTREAM protocol over TCP: `zINSTREAM\0`, then the content as
/// chunks each prefixed by its 4-byte big-endian length, then a zero length; clamd answers one line such as
/// `stream: OK` or `stream: Eicar-Signature FOUND`.
public struct ClamdScanner: Sendable {
    public enum Verdict: Sendable, Equatable {
        case clean
        case infected(signature: String)
    }

    public struct ScanError: Error, CustomStringConvertible {
        public let description: String
    }

    let host: String
    let port: Int

    /// `address` is `host:port` of clamd's TCPSocket.
    public init(address: String) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ScanError(description: "clamd address \(address) is not host:port")
        }
        host = String(address[..<colon])
        self.port = port
    }

    /// Scans the content `produce` sends through its argument, chunk by chunk.
    public func scan(
        _ produce: @Sendable (_ send: @Sendable (ArraySlice<UInt8>) async throws -> Void) async throws -> Void
    ) async throws -> Verdict {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let reply = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "zINSTREAM\0"))
            try await produce { bytes in
                var start = bytes.startIndex
                while start < bytes.endIndex {  // clamd's StreamMaxLength applies to the sum; chunks stay small
                    let end = min(bytes.endIndex, start + (1 << 20))
                    var buffer = ByteBuffer()
                    buffer.writeInteger(UInt32(end - start))
                    buffer.writeBytes(bytes[start..<end])
                    try await outbound.write(buffer)
                    start = end
                }
            }
            try await outbound.write(ByteBuffer(bytes: [0, 0, 0, 0]))
            var answer = ByteBuffer()
            for try await var part in inbound {
                answer.writeBuffer(&part)
                if answer.readableBytesView.contains(0) || answer.readableBytes > 4096 { break }
            }
            return String(decoding: answer.readableBytesView.prefix { $0 != 0 && $0 != 0x0A }, as: UTF8.self)
        }
        return try Self.verdict(reply)
    }

    static func verdict(_ reply: String) throws -> Verdict {
        if reply.hasSuffix(" OK") { return .clean }
        if reply.hasSuffix(" FOUND") {
            let body = reply.drop { $0 != " " }.dropFirst().dropLast(" FOUND".count)
            return .infected(signature: String(body))
        }
        throw ScanError(description: "clamd: \(reply.isEmpty ? "no answer" : reply)")
    }
}
