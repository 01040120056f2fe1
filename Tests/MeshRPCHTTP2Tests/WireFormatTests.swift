import MeshRPC
import NIOCore
import Testing

@testable import MeshRPCHTTP2

@Suite struct WireFormatTests {
    @Test func timeoutParsesEveryUnitAndRejectsJunk() {
        #expect(GRPCTimeout.parse("1H") == .seconds(3600))
        #expect(GRPCTimeout.parse("2M") == .seconds(120))
        #expect(GRPCTimeout.parse("3S") == .seconds(3))
        #expect(GRPCTimeout.parse("4m") == .milliseconds(4))
        #expect(GRPCTimeout.parse("5u") == .microseconds(5))
        #expect(GRPCTimeout.parse("99999999n") == .nanoseconds(99_999_999))
        for junk in ["", "S", "1", "123456789S", "1x", "-1S", "1.5S", " 1S"] {
            #expect(GRPCTimeout.parse(junk[...]) == nil, "\(junk)")
        }
    }

    @Test func timeoutEncodingNeverShortensAndFitsEightDigits() {
        #expect(GRPCTimeout.encode(.milliseconds(250)) == "250000u")
        #expect(GRPCTimeout.encode(.milliseconds(25)) == "25000000n")
        #expect(GRPCTimeout.encode(.seconds(1)) == "1000000u")
        #expect(GRPCTimeout.encode(.seconds(500)) == "500000m")
        #expect(GRPCTimeout.encode(.seconds(200_000)) == "200000S")
        #expect(GRPCTimeout.encode(.seconds(400_000_000)) == "6666667M")
        #expect(GRPCTimeout.encode(.zero) == "1n")
        for duration: Duration in [.nanoseconds(1), .milliseconds(1234), .seconds(86_400 * 365)] {
            let encoded = GRPCTimeout.encode(duration)
            #expect(encoded.count <= 9)
            #expect(GRPCTimeout.parse(encoded[...])! >= duration)
        }
    }

    @Test func statusMessagePercentEncodingRoundTrips() {
        let message = "50% off: ünïcödé\n\t✓"
        let encoded = GRPCStatusMessage.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(encoded.hasPrefix("50%25 off: %C3%BC"))
        #expect(GRPCStatusMessage.decode(encoded[...]) == message)
        // A broken escape is kept literally rather than failing.
        #expect(GRPCStatusMessage.decode("100%zz and %4") == "100%zz and %4")
    }

    @Test func base64AcceptsPaddedAndUnpaddedAndRejectsJunk() {
        for bytes: [UInt8] in [[], [0], [0, 1], [0, 1, 2], [255, 254, 253, 252]] {
            let encoded = Base64.encode(bytes)
            #expect(!encoded.contains("="))
            #expect(Base64.decode(encoded[...]) == bytes)
        }
        #expect(Base64.decode("AAE=") == [0, 1])
        #expect(Base64.decode("AAE") == [0, 1])
        #expect(Base64.decode("A") == nil)
        #expect(Base64.decode("A$==") == nil)
    }

    @Test func metadataConversionSkipsReservedHeadersAndDecodesBinary() {
        let fields = [
            HeaderField(":path", "/a/b"), HeaderField("content-type", "application/grpc"), HeaderField("te", "trailers"),
            HeaderField("grpc-timeout", "1S"), HeaderField("x-user", "alice"), HeaderField("x-blob-bin", "AAEC"),
            HeaderField("x-blob-bin", "/w"), HeaderField("x-bad-bin", "!!"),
        ]
        let metadata = GRPCHeaders.metadata(from: fields)
        #expect(metadata.first("x-user") == "alice")
        #expect(metadata[binaryValues: "x-blob-bin"] == [[0, 1, 2], [255]])
        #expect(metadata[binaryValues: "x-bad-bin"].isEmpty)
        #expect(metadata.count == 3)
    }

    @Test func deframerSplitsAndJoinsAcrossChunks() throws {
        var wire = ByteBuffer()
        for payload in ["a", "", String(repeating: "z", count: 20_000), "end"] {
            GRPCMessageFramer.frame(ByteBuffer(string: payload), allocator: ByteBufferAllocator()) { chunk in
                var chunk = chunk
                wire.writeBuffer(&chunk)
            }
        }
        // Every chunk size from 1 byte (messages over many frames) to all at once (many per frame).
        for chunkSize in [1, 3, 5, 7, 4096, 100_000] {
            var deframer = GRPCMessageDeframer(maxMessageBytes: 1 << 20)
            var messages: [String] = []
            var input = wire
            while input.readableBytes > 0 {
                let chunk = input.readSlice(length: min(chunkSize, input.readableBytes))!
                try deframer.process(chunk) { messages.append(String(buffer: $0)) }
            }
            #expect(messages.map(\.count) == [1, 0, 20_000, 3], "chunk size \(chunkSize)")
            #expect(!deframer.hasPartialMessage)
        }
    }

    /// A serializer's message with its prefix in front goes out as the same bytes, not a copy; anything else that
    /// merely has bytes before it is framed as before.
    @Test func framerSendsAPrefixWrittenInFrontWithoutCopying() throws {
        var message = MessagePrefix.buffer(forMessageOfSize: 3)
        message.writeString("abc")
        #expect(String(buffer: message) == "abc")
        var outputs: [ByteBuffer] = []
        GRPCMessageFramer.frame(message, allocator: ByteBufferAllocator()) { outputs.append($0) }
        #expect(outputs.count == 1)
        #expect(Array(outputs[0].readableBytesView) == [0, 0, 0, 0, 3] + Array("abc".utf8))
        let sameStorage = outputs[0].withUnsafeReadableBytes { framed in
            message.withUnsafeReadableBytes { payload in framed.baseAddress! + 5 == payload.baseAddress! }
        }
        #expect(sameStorage)

        // Read partly, so the bytes in front no longer give its length; a slice of other data; an empty message.
        var partlyRead = message
        partlyRead.moveReaderIndex(forwardBy: 1)
        var other = ByteBuffer(bytes: [0, 0, 0, 0, 9, 1, 2, 3])
        other.moveReaderIndex(forwardBy: 5)
        let empty = MessagePrefix.buffer(forMessageOfSize: 0)
        #expect(MessagePrefix.prefixed(partlyRead) == nil)
        #expect(MessagePrefix.prefixed(other) == nil)
        #expect(MessagePrefix.prefixed(ByteBuffer(string: "abc")) == nil)
        #expect(MessagePrefix.prefixed(empty).map { Array($0.readableBytesView) } == [0, 0, 0, 0, 0])
        for (input, payload) in [(partlyRead, "bc"), (other, "\u{1}\u{2}\u{3}")] {
            var framed = ByteBuffer()
            GRPCMessageFramer.frame(input, allocator: ByteBufferAllocator()) { var part = $0; framed.writeBuffer(&part) }
            #expect(Array(framed.readableBytesView) == [0, 0, 0, 0, UInt8(payload.utf8.count)] + Array(payload.utf8))
        }
    }

    @Test func deframerRejectsHugeLengthBeforeBufferingIt() {
        var deframer = GRPCMessageDeframer(maxMessageBytes: 1024)
        let error = #expect(throws: RPCError.self) {
            try deframer.process(ByteBuffer(bytes: [0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2])) { _ in }
        }
        #expect(error?.code == .resourceExhausted)
    }

    @Test func deframerRejectsCompressedAndBadFlags() {
        for flag: UInt8 in [1, 2, 0x80] {
            var deframer = GRPCMessageDeframer(maxMessageBytes: 1024)
            let error = #expect(throws: RPCError.self) {
                try deframer.process(ByteBuffer(bytes: [flag, 0, 0, 0, 1, 9])) { _ in }
            }
            #expect(error?.code == .internalError)
        }
    }
}
