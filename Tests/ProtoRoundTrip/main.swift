import FlowMessages
import ProtoWire

#if canImport(Glibc)
import Glibc
#endif

/// `proto-roundtrip`: decodes and re-encodes protobuf messages by type name, for the cross-language tests.
///
/// Requests on stdin, replies on stdout, framed so one process serves thousands of cases:
/// request `u32 LE name length, name, u32 LE payload length, payload`; reply `u8 status (0 ok, 1 decode
/// error, 2 unknown type), u32 LE length, re-encoded bytes or the error text`.

func readExactly(_ count: Int) -> [UInt8]? {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = bytes.withUnsafeMutableBytes { read(0, $0.baseAddress! + filled, count - filled) }
        if n <= 0 { return nil }
        filled += n
    }
    return bytes
}

func readLength() -> Int? {
    guard let b = readExactly(4) else { return nil }
    return Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16 | Int(b[3]) << 24
}

func writeAll(_ bytes: [UInt8]) {
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + sent, bytes.count - sent) }
        if n <= 0 { exit(3) }
        sent += n
    }
}

func reply(_ status: UInt8, _ body: [UInt8]) {
    let n = UInt32(body.count)
    writeAll([status, UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)] + body)
}

while let nameLength = readLength(), let name = readExactly(nameLength), let payloadLength = readLength(),
    let payload = readExactly(payloadLength)
{
    let typeName = String(decoding: name, as: UTF8.self)
    guard let type = FlowMessagesRegistry.messageTypes[typeName] else {
        reply(2, Array("unknown message type \(typeName)".utf8))
        continue
    }
    do {
        reply(0, try type.init(serializedBytes: payload).serializedBytes())
    } catch {
        reply(1, Array("\(error)".utf8))
    }
}
