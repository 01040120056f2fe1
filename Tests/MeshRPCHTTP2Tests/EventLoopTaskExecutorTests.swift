import MeshRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import MeshRPCHTTP2

@Suite struct EventLoopTaskExecutorTests {
    /// Tasks preferring the executor run on its loop, in the order they were started, also when started from
    /// another thread or from one of them while a batch runs; each resumption after a wait is on the loop again.
    @Test func tasksRunOnTheLoopInOrder() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop: loop)
        let log = NIOLockedValueBox<[String]>([])
        let offLoop = NIOLockedValueBox(0)

        @Sendable func note(_ entry: String) {
            if !loop.inEventLoop { offLoop.withLockedValue { $0 += 1 } }
            log.withLockedValue { $0.append(entry) }
        }

        // Started from the loop, as the server does from channelRead: one batch.
        let started = try await loop.submit {
            (0..<20).map { index in
                Task(executorPreference: executor) {
                    note("first \(index)")
                    if index == 0 {
                        // Started while the batch runs: after it.
                        await Task(executorPreference: executor) { note("nested") }.value
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                    note("resumed \(index)")
                }
            }
        }.get()
        // Started from this (pool) thread.
        let fromOutside = Task(executorPreference: executor) { note("outside") }
        for task in started { await task.value }
        await fromOutside.value

        let entries = log.withLockedValue { $0 }
        #expect(offLoop.withLockedValue { $0 } == 0)
        #expect(entries.filter { $0.hasPrefix("first") } == (0..<20).map { "first \($0)" })
        #expect(entries.firstIndex(of: "nested")! > entries.firstIndex(of: "first 19")!)
        #expect(entries.filter { $0.hasPrefix("resumed") }.count == 20)
        #expect(entries.contains("outside"))
    }

    /// A writer takes credit at once while the queue is under its limit, is told to wait over it, and fails once
    /// the stream is gone.
    @Test func writeCreditIsReservedWithoutWaitingUnderTheLimit() throws {
        let credit = WriteCredit(limit: 10)
        #expect(try credit.tryReserve(8))
        #expect(try credit.tryReserve(8))  // 8 < 10 queued before it: allowed, now 16
        #expect(try !credit.tryReserve(1))  // over the limit: wait
        credit.release(10)
        #expect(try credit.tryReserve(1))
        credit.close(RPCError(code: .cancelled, message: "reset"))
        #expect(throws: RPCError.self) { try credit.tryReserve(1) }
    }
}
