import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

@Suite struct CoreTypesTests {
    @Test func metadataIsOrderedMultiValuedAndLowercased() {
        var metadata = Metadata()
        metadata.add("X-Key", "one")
        metadata.add("x-key", "two")
        metadata.add("x-data-bin", bytes: [0, 255])
        #expect(metadata[stringValues: "x-key"] == ["one", "two"])
        #expect(metadata[binaryValues: "X-DATA-BIN"] == [[0, 255]])
        metadata.replace("x-key", "three")
        #expect(metadata[stringValues: "x-key"] == ["three"])
        #expect(metadata.count == 2)
    }

    @Test func methodDescriptorParsesOnlyServiceSlashMethod() {
        #expect(MethodDescriptor(path: "/pkg.Service/Method") == MethodDescriptor(service: "pkg.Service", method: "Method"))
        #expect(MethodDescriptor(path: "/pkg.Service") == nil)
        #expect(MethodDescriptor(path: "pkg.Service/Method") == nil)
        #expect(MethodDescriptor(path: "/a/b/c") == nil)
        #expect(MethodDescriptor(path: "//b") == nil)
    }

    @Test func aPeerKeepsItsAddressAndPortTyped() throws {
        let v4 = RPCPeer(try SocketAddress(ipAddress: "127.0.0.1", port: 5000))
        #expect(v4.ipAddress == "127.0.0.1" && v4.port == 5000)
        #expect(v4.description.hasSuffix("127.0.0.1:5000"))
        let v6 = RPCPeer(try SocketAddress(ipAddress: "::1", port: 443))
        #expect(v6.ipAddress == "::1" && v6.port == 443)
        // A Unix-domain peer has neither: only its description.
        let unix = RPCPeer(try SocketAddress(unixDomainSocketPath: "/tmp/mesh.sock"))
        #expect(unix.ipAddress == nil && unix.port == nil)
        #expect(unix.description.contains("/tmp/mesh.sock"))
        #expect(RPCPeer.inProcess.description == "in-process" && RPCPeer.inProcess.ipAddress == nil)
    }

    @Test func errorsWrapCausesAndMapCancellation() {
        struct Boom: Error {}
        let wrapped = RPCError(wrapping: Boom())
        #expect(wrapped.code == .unknown)
        #expect(wrapped.cause is Boom)
        #expect(RPCError(wrapping: CancellationError()).code == .cancelled)
        #expect(RPCError.Code(rawValue: 99).description == "CODE_99")
        #expect(RPCError.Code.resourceExhausted.description == "RESOURCE_EXHAUSTED")
    }

    @Test func queueAppliesByteBackpressureAndSignalsDemand() async throws {
        let demanded = ManagedFlag()
        let queue = RPCMessageQueue<ByteBuffer>(
            highWatermark: 10, lowWatermark: 4, sizeOf: { $0.readableBytes }, onDemand: { demanded.set() })
        #expect(queue.yield(ByteBuffer(repeating: 0, count: 6)))
        #expect(!queue.yield(ByteBuffer(repeating: 0, count: 6)))  // 12 > 10: stop producing
        #expect(!queue.isAcceptingMore)
        _ = try await queue.next()  // 6 left: above the low watermark
        #expect(!demanded.isSet)
        _ = try await queue.next()  // 0 left
        #expect(demanded.isSet)
        queue.finish()
        #expect(try await queue.next() == nil)
    }

    /// `poll` reads what is there without waiting; iterators try it before `next`, which waits when it finds nothing.
    @Test func queuePollsWithoutWaiting() async throws {
        let demanded = ManagedFlag()
        let queue = RPCMessageQueue<Int>(highWatermark: 1, lowWatermark: 0, onDemand: { demanded.set() })
        guard case .wouldWait = try queue.poll() else { Issue.record("an empty queue polled something"); return }
        queue.yield(1)
        #expect(!queue.yield(2))  // over the high watermark
        guard case .element(1) = try queue.poll() else { Issue.record("expected 1"); return }
        #expect(!demanded.isSet)
        guard case .element(2) = try queue.poll() else { Issue.record("expected 2"); return }
        #expect(demanded.isSet)  // drained below the low watermark by polling, as by `next`

        var iterator = queue.sequence.makeAsyncIterator()
        let waiting = Task { [iterator] in
            var iterator = iterator
            return try await iterator.next()
        }
        try await Task.sleep(for: .milliseconds(20))
        queue.yield(3)
        #expect(try await waiting.value == 3)
        queue.yield(4)
        queue.finish()
        #expect(try await iterator.next() == 4)
        #expect(try await iterator.next() == nil)
        guard case .end = try queue.poll() else { Issue.record("expected the end"); return }

        let failed = RPCMessageQueue<Int>()
        failed.finish(throwing: RPCError(code: .unavailable, message: "gone"))
        #expect(throws: RPCError.self) { try failed.poll() }
        let cancelled = RPCMessageQueue<Int>()
        cancelled.cancelConsumer()
        #expect(throws: CancellationError.self) { try cancelled.poll() }
    }

    /// A mapped sequence polls through its transform, and a throwing transform ends it with that error.
    @Test func mappedSequencePollsThroughItsTransform() async throws {
        let queue = RPCMessageQueue<Int>()
        queue.yield(2)
        queue.yield(-1)
        let doubled = queue.sequence.map { value in
            guard value >= 0 else { throw RPCError(code: .invalidArgument, message: "negative") }
            return value * 2
        }
        var iterator = doubled.makeAsyncIterator()
        #expect(try await iterator.next() == 4)
        await #expect(throws: RPCError.self) { try await iterator.next() }
    }

    /// `write` tries the synchronous path first and waits only when it declines; both keep the order of writes.
    @Test func writerTriesTheSynchronousPathFirst() async throws {
        let written = NIOLockedValueBox<[String]>([])
        let writer = RPCWriter<Int>(
            write: { value in written.withLockedValue { $0.append("waited \(value)") } },
            tryWrite: { value in
                guard value >= 0 else { throw RPCError(code: .cancelled, message: "stream gone") }
                guard value.isMultiple(of: 2) else { return false }
                written.withLockedValue { $0.append("now \(value)") }
                return true
            })
        try await writer.write(contentsOf: [0, 1, 2, 3])
        #expect(written.withLockedValue { $0 } == ["now 0", "waited 1", "now 2", "waited 3"])
        await #expect(throws: RPCError.self) { try await writer.write(-1) }
        #expect(written.withLockedValue { $0 }.count == 4)
    }

    @Test func queueReportsConsumerCancellation() async throws {
        let cancelled = ManagedFlag()
        let queue = RPCMessageQueue<Int>(onConsumerCancelled: { cancelled.set() })
        let reader = Task { try await queue.next() }
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
        #expect(cancelled.isSet)
    }
}

/// A thread-safe boolean for callbacks in tests.
final class ManagedFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    func set() { value.withLockedValue { $0 = true } }
    var isSet: Bool { value.withLockedValue { $0 } }
}
