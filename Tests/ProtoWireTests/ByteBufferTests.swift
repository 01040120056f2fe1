import FlowMessages
import NIOCore
import ProtoWire
import ProtoWireNIO
import Testing

/// The ByteBuffer bridge the RPC layer uses.
@Suite struct ByteBufferTests {
    @Test func serializeAppendsAndDecodeReadsInPlace() throws {
        var message = Fileflow_V1_Job()
        message.jobID = "job-1"
        message.progress = 0.25
        message.state = .running
        var buffer = ByteBuffer(bytes: [0, 0, 0, 0, 0])  // as if a gRPC prefix had been written first
        message.serialize(into: &buffer)
        #expect(buffer.readableBytes == 5 + message.serializedSize())
        #expect(Array(buffer.readableBytesView.dropFirst(5)) == message.serializedBytes())

        buffer.moveReaderIndex(forwardBy: 5)
        let decoded = try Fileflow_V1_Job(buffer: buffer)
        #expect(decoded == message)
        #expect(buffer.readableBytes == message.serializedSize(), "decoding does not consume the buffer")
    }

    @Test func emptyMessagesAndErrors() throws {
        var buffer = ByteBuffer()
        Grpc_Testing_Empty().serialize(into: &buffer)
        #expect(buffer.readableBytes == 0)
        #expect(try Grpc_Testing_Empty(buffer: buffer) == Grpc_Testing_Empty())
        #expect(throws: ProtoDecodingError.self) { try Fileflow_V1_Job(buffer: ByteBuffer(bytes: [0x0a, 0x05])) }
    }
}
