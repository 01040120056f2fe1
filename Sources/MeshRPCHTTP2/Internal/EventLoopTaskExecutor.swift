import NIOCore

/// Runs Swift tasks on a NIO event loop. Handler tasks that prefer it run on their connection's
/// loop, so a call's reads, writes and flushes never hop threads (what makes grpcxx fast); a
/// handler doing long CPU work should move it off with its own task or disable this in
/// `HTTP2ServerConfiguration.runsHandlersOnEventLoop`.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
