import ProtoWire
import Testing

/// Truncated, malformed and hostile input: each refused with its own `ProtoDecodingError.Code`, never a crash.
@Suite struct HostileInputTests {
    typealias Scalars = Protowire_Test_Scalars

    func expectRefused<Message: ProtoMessage>(
        _ bytes: [UInt8], as _: Message.Type = Scalars.self, code: ProtoDecodingError.Code,
        options: ProtoDecodingOptions = .default, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try Message(serializedBytes: bytes, options: options)
            Issue.record("accepted \(hex(bytes)) as \(Message.protoMessageName)", sourceLocation: sourceLocation)
        } catch let error as ProtoDecodingError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedValues() {
        expectRefused([0x18], code: .truncated)  // tag, no varint
        expectRefused([0x18, 0x80], code: .truncated)  // varint cut short
        expectRefused([0x4d, 0x01, 0x02, 0x03], code: .truncated)  // fixed32 with 3 bytes
        expectRefused([0x51, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], code: .truncated)  // fixed64 with 7
        expectRefused([0x72], code: .truncated)  // string tag, no length
    }

    @Test func lengthsBeyondTheInput() {
        // A string claiming 4 GiB: refused before anything is allocated for it.
        expectRefused([0x72, 0x80, 0x80, 0x80, 0x80, 0x10], code: .lengthExceedsInput)
        // A length of 2^64-1.
        expectRefused([0x7a] + [UInt8](repeating: 0xff, count: 9) + [0x01], code: .lengthExceedsInput)
        expectRefused([0x72, 0x05, 0x61, 0x62], code: .lengthExceedsInput)
        // An unknown length-delimited field, too.
        expectRefused([0xa2, 0x06, 0x10, 0x00], code: .lengthExceedsInput)
        // A string inside a sub-message may not run past the sub-message's end, even with bytes left outside it.
        expectRefused([0x2a, 0x02, 0x72, 0x05, 0x61, 0x61, 0x61, 0x61, 0x61], as: Protowire_Test_Optionals.self,
                      code: .lengthExceedsInput)
        // A packed run claiming more than is there.
        expectRefused([0x1a, 0x7f, 0x01], as: Protowire_Test_Repeated.self, code: .lengthExceedsInput)
    }

    @Test func overlongVarintsAndTags() throws {
        expectRefused([0x18] + [UInt8](repeating: 0x80, count: 10) + [0x01], code: .malformedVarint)
        // A tag longer than 5 bytes, and a tag above 2^32-1.
        expectRefused([0x98, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01], code: .malformedVarint)
        expectRefused([0xf8, 0xff, 0xff, 0xff, 0x7f, 0x01], code: .malformedVarint)
        // Exactly 10 bytes is fine, and bits past the 64th are dropped (as Google's parsers do).
        let tenBytes: [UInt8] = [0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
        #expect(try Scalars(serializedBytes: tenBytes).fInt64 == -1)
    }

    @Test func wireTypesAndFieldNumbers() {
        expectRefused([0x0e, 0x00], code: .invalidWireType)  // field 1, wire type 6
        expectRefused([0x0f, 0x00], code: .invalidWireType)  // field 1, wire type 7
        expectRefused([0x00, 0x01], code: .invalidFieldNumber)  // field 0, varint
        expectRefused([0x02, 0x00], code: .invalidFieldNumber)  // field 0, length-delimited
        expectRefused([0x80, 0x00, 0x01], code: .invalidFieldNumber)  // field 0 in a padded two-byte tag
        expectRefused([0x0b, 0x0c], code: .groupsNotSupported)  // start group
        expectRefused([0x0c], code: .groupsNotSupported)  // stray end group
        // A group inside a map entry is refused too.
        expectRefused([0x0a, 0x02, 0x1b, 0x1c], as: Protowire_Test_Maps.self, code: .groupsNotSupported)
    }

    @Test func invalidUTF8() {
        expectRefused([0x72, 0x02, 0xc3, 0x28], code: .invalidUTF8)  // bad continuation byte
        expectRefused([0x72, 0x03, 0xed, 0xa0, 0x80], code: .invalidUTF8)  // a UTF-16 surrogate
        expectRefused([0x72, 0x02, 0xc0, 0x80], code: .invalidUTF8)  // overlong NUL
        expectRefused([0x0a, 0x03, 0x0a, 0x01, 0xff], as: Protowire_Test_Maps.self, code: .invalidUTF8)  // map key
        expectRefused([0x0a, 0x01, 0xfe], as: Protowire_Test_Choice.self, code: .invalidUTF8)  // oneof member
    }

    @Test func malformedPackedRuns() {
        expectRefused([0x4a, 0x03, 0x01, 0x02, 0x03], as: Protowire_Test_Repeated.self, code: .malformedPackedField)
        expectRefused([0x52, 0x04, 0, 0, 0, 0], as: Protowire_Test_Repeated.self, code: .malformedPackedField)
        expectRefused([0x1a, 0x02, 0x01, 0x80], as: Protowire_Test_Repeated.self, code: .malformedPackedField)
    }

    /// `Ping { pong { ping { ... } } }` nested `levels` sub-messages deep.
    func nestedPings(_ levels: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x10, 0x01]
        for _ in 0..<levels {
            // Ping.pong and Pong.ping are both field 1.
            bytes = [0x0a] + varint(bytes.count) + bytes
        }
        return bytes
    }

    func varint(_ value: Int) -> [UInt8] {
        var rest = UInt64(value)
        var out: [UInt8] = []
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        return out + [UInt8(rest)]
    }

    @Test func nestingDepth() throws {
        // 100 nested sub-messages are accepted, as Google's parsers accept them; 101 are refused.
        let deepest = try Protowire_Test_Ping(serializedBytes: nestedPings(100))
        #expect(deepest.pong.ping.pong.hasPing)
        expectRefused(nestedPings(101), as: Protowire_Test_Ping.self, code: .depthLimitExceeded)
        expectRefused(nestedPings(11), as: Protowire_Test_Ping.self, code: .depthLimitExceeded,
                      options: ProtoDecodingOptions(maxDepth: 10))
        // Our own encoder goes deeper than the decoder accepts; a million levels is refused, not a stack overflow.
        expectRefused(nestedPings(20_000), as: Protowire_Test_Ping.self, code: .depthLimitExceeded)
    }

    @Test func messageSizeLimit() throws {
        let bytes: [UInt8] = [0x72, 0x03, 0x61, 0x62, 0x63]
        expectRefused(bytes, code: .messageTooLarge, options: ProtoDecodingOptions(maxMessageSize: 4))
        #expect(try Scalars(serializedBytes: bytes, options: ProtoDecodingOptions(maxMessageSize: 5)).fString == "abc")
    }

    @Test func errorsSayWhatAndWhere() {
        do {
            _ = try Scalars(serializedBytes: [0x08, 0x01, 0x0b])
            Issue.record("a group was accepted")
        } catch let error as ProtoDecodingError {
            #expect(error.offset == 2)
            #expect("\(error)".contains("group"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Random bytes against every feature message: each input either decodes (and then re-encodes to bytes that
    /// decode to the same value) or throws `ProtoDecodingError`. Deterministic, so a failure reproduces.
    @Test func randomBytesNeverCrash() throws {
        var generator = SplitMix64(seed: 0x5eed)
        let types: [any ProtoMessage.Type] = [
            Scalars.self, Protowire_Test_Repeated.self, Protowire_Test_Optionals.self, Protowire_Test_Maps.self,
            Protowire_Test_Choice.self, Protowire_Test_Tree.self, Protowire_Test_Ping.self,
            Protowire_Test_Outer.self, Protowire_Test_Keywords.self, Protowire_Test_Empty.self,
        ]
        var decoded = 0
        for round in 0..<50_000 {
            let count = Int(generator.next() % 48)
            let bytes = (0..<count).map { _ in
                // Mostly small values so that tags and lengths are often plausible.
                let raw = generator.next()
                return raw % 3 == 0 ? UInt8(truncatingIfNeeded: raw >> 8) : UInt8(truncatingIfNeeded: raw >> 8) & 0x3f
            }
            let type = types[round % types.count]
            if try roundTrip(type, bytes) { decoded += 1 }
        }
        #expect(decoded > 1_000, "the random inputs should often be valid, or this test checks little")
    }

    private func roundTrip<Message: ProtoMessage>(_: Message.Type, _ bytes: [UInt8]) throws -> Bool {
        let first: Message
        do {
            first = try Message(serializedBytes: bytes)
        } catch is ProtoDecodingError {
            return false
        }
        let encoded = first.serializedBytes()
        #expect(encoded.count == first.serializedSize())
        let second = try Message(serializedBytes: encoded)
        #expect(second == first, "\(Message.protoMessageName): \(hex(bytes))")
        #expect(second.serializedBytes() == encoded)
        return true
    }
}

/// A tiny deterministic generator for reproducible random tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
