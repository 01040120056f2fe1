import ProtoWire
import Testing

/// Each wire type, byte for byte against `protoc --encode`, and decoded back.
@Suite struct WireFormatTests {
    typealias Scalars = Protowire_Test_Scalars

    /// Our bytes for `message` must equal protoc's for `text`, and decode back to `message`.
    func expectSameAsProtoc(_ message: Scalars, _ text: String) throws {
        let ours = message.serializedBytes()
        let reference = try Protoc.encode("protowire.test.Scalars", text)
        #expect(hex(ours) == hex(reference), "for \(text)")
        #expect(try Scalars(serializedBytes: reference) == message)
    }

    @Test func varintsIncludingTenByteNegatives() throws {
        var message = Scalars()
        message.fInt32 = -1
        #expect(message.serializedBytes() == [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
        try expectSameAsProtoc(message, "f_int32: -1")

        message = Scalars()
        message.fInt32 = .min
        message.fInt64 = .min
        message.fUint32 = .max
        message.fUint64 = .max
        message.fBool = true
        message.fEnum = .green
        message.fFar = 300
        try expectSameAsProtoc(
            message,
            """
            f_int32: -2147483648 f_int64: -9223372036854775808 f_uint32: 4294967295
            f_uint64: 18446744073709551615 f_bool: true f_enum: COLOR_GREEN f_far: 300
            """)
    }

    @Test func zigzag() throws {
        for (value32, value64) in [(Int32(0), Int64(0)), (-1, -1), (1, 1), (.min, .min), (.max, .max), (-64, 63)] {
            var message = Scalars()
            message.fSint32 = value32
            message.fSint64 = value64
            try expectSameAsProtoc(message, "f_sint32: \(value32) f_sint64: \(value64)")
        }
        #expect(ProtoZigZag.encode(Int32(-1)) == 1)
        #expect(ProtoZigZag.encode(Int32(1)) == 2)
        #expect(ProtoZigZag.decode(UInt64.max) == .min)
    }

    @Test func fixedWidthAndFloatingPoint() throws {
        var message = Scalars()
        message.fFixed32 = 0xdead_beef
        message.fFixed64 = 0x0123_4567_89ab_cdef
        message.fSfixed32 = -2
        message.fSfixed64 = .min
        message.fFloat = 1.5
        message.fDouble = -0.25
        try expectSameAsProtoc(
            message,
            """
            f_fixed32: 3735928559 f_fixed64: 81985529216486895 f_sfixed32: -2 f_sfixed64: -9223372036854775808
            f_float: 1.5 f_double: -0.25
            """)
    }

    @Test func negativeZeroIsWrittenAndNaNEqualsItself() throws {
        var message = Scalars()
        message.fDouble = -0.0
        // Presence is by bit pattern, as protoc decides it: -0.0 is not the default.
        try expectSameAsProtoc(message, "f_double: -0")
        #expect(message != Scalars())

        message.fDouble = .nan
        let decoded = try Scalars(serializedBytes: message.serializedBytes())
        #expect(decoded == message, "equality is bitwise, so a NaN round trip compares equal")
    }

    @Test func lengthDelimited() throws {
        var message = Scalars()
        message.fString = "héllo, wörld ✓"
        message.fBytes = [0, 1, 2, 0xff]
        try expectSameAsProtoc(message, #"f_string: "héllo, wörld ✓" f_bytes: "\000\001\002\377""#)

        message.fBytes = [UInt8](repeating: 7, count: 300)  // a two-byte length prefix
        message.fString = String(repeating: "x", count: 20_000)  // a three-byte one
        let decoded = try Scalars(serializedBytes: message.serializedBytes())
        #expect(decoded == message)
        #expect(message.serializedSize() == 1 + 2 + 300 + 1 + 3 + 20_000)
    }

    @Test func everyScalarAtOnceMatchesProtoc() throws {
        let text = """
            f_double: 2.5 f_float: -3.25 f_int32: 7 f_int64: -7 f_uint32: 8 f_uint64: 9 f_sint32: -10 f_sint64: 11
            f_fixed32: 12 f_fixed64: 13 f_sfixed32: -14 f_sfixed64: 15 f_bool: true f_string: "s" f_bytes: "b"
            f_enum: COLOR_RED f_far: -1
            """
        let reference = try Protoc.encode("protowire.test.Scalars", text)
        let decoded = try Scalars(serializedBytes: reference)
        #expect(decoded.fDouble == 2.5 && decoded.fFloat == -3.25 && decoded.fSint32 == -10 && decoded.fEnum == .red)
        #expect(decoded.fString == "s" && decoded.fBytes == Array("b".utf8) && decoded.fFar == -1)
        #expect(decoded.serializedBytes() == reference)
        #expect(try Protoc.decode("protowire.test.Scalars", decoded.serializedBytes()).contains("f_far: -1"))
    }

    @Test func packedAndUnpackedRepeatedFields() throws {
        var message = Protowire_Test_Repeated()
        message.rInt32 = [1, -1, 300]
        message.rSint64 = [-2, 2]
        message.rFixed32 = [1, 2]
        message.rDouble = [0.5, -1]
        message.rFloat = [1]
        message.rBool = [true, false, true]
        message.rEnum = [.red, .UNRECOGNIZED(77)]
        message.rString = ["a", "", "c"]
        message.rBytes = [[], [1]]
        message.rMessage = [Scalars(), { var s = Scalars(); s.fInt32 = 5; return s }()]
        message.rUnpacked = [3, 4]
        message.rUnpackedFixed = [5, 6]
        let text = """
            r_int32: [1, -1, 300] r_sint64: [-2, 2] r_fixed32: [1, 2] r_double: [0.5, -1] r_float: 1
            r_bool: [true, false, true] r_enum: [COLOR_RED, 77] r_string: ["a", "", "c"] r_bytes: ["", "\\001"]
            r_message: {} r_message: { f_int32: 5 } r_unpacked: [3, 4] r_unpacked_fixed: [5, 6]
            """
        let reference = try Protoc.encode("protowire.test.Repeated", text)
        #expect(hex(message.serializedBytes()) == hex(reference))
        #expect(try Protowire_Test_Repeated(serializedBytes: reference) == message)
    }

    @Test func unpackedEncodingIsAcceptedForPackedFieldsAndTheReverse() throws {
        // r_int32 (3) sent unpacked, r_unpacked (18) sent packed: both must decode, and re-encode canonically.
        let bytes: [UInt8] = [0x18, 0x01, 0x18, 0x02, 0x92, 0x01, 0x02, 0x03, 0x04]
        let message = try Protowire_Test_Repeated(serializedBytes: bytes)
        #expect(message.rInt32 == [1, 2])
        #expect(message.rUnpacked == [3, 4])
        #expect(message.serializedBytes() == [0x1a, 0x02, 0x01, 0x02, 0x90, 0x01, 0x03, 0x90, 0x01, 0x04])
        #expect(message.unknownFields.isEmpty)
    }

    @Test func sizesOfVarints() {
        #expect(ProtoSize.varint(0) == 1)
        #expect(ProtoSize.varint(127) == 1)
        #expect(ProtoSize.varint(128) == 2)
        #expect(ProtoSize.varint(UInt64(UInt32.max)) == 5)
        #expect(ProtoSize.varint(.max) == 10)
    }
}
