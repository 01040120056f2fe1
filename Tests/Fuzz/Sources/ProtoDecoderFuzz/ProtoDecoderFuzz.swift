import FlowMessages
import ProtoWire

/// Every generated message type, in a fixed order so that a corpus entry keeps meaning the same type.
private let messageTypes: [any ProtoMessage.Type] = FlowMessagesRegistry.messageTypes
    .sorted { $0.key < $1.key }
    .map(\.value)

/// libFuzzer's entry point: the first byte picks a message type, the rest is decoded as that type.
///
/// A decode may fail (with a typed error) but must never crash, hang or leak; and what decodes must re-encode to
/// bytes that decode to an equal value, encode identically again (the encoding is canonical after one pass).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let type = messageTypes[Int(data[0]) % messageTypes.count]
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    roundTrip(type, payload)
    return 0
}

private func roundTrip<Message: ProtoMessage>(_ type: Message.Type, _ payload: [UInt8]) {
    guard let first = try? Message(serializedBytes: payload) else { return }
    let encoded = first.serializedBytes()
    guard let second = try? Message(serializedBytes: encoded) else {
        fatalError("\(Message.protoMessageName): our own encoding does not decode")
    }
    guard second == first, second.serializedBytes() == encoded else {
        fatalError("\(Message.protoMessageName): round trip changed the message")
    }
}
