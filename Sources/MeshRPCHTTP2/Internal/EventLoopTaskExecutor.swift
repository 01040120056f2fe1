import NIOCore
import Synchronization

/// Runs Swift tasks on a NIO event loop. Handler tasks that prefer it run on their connection's
/// loop, so a call's reads, writes and flushes never hop threads (what makes grpcxx fast); a
/// handler doing long CPU work should move it off with its own task or disable this in
/// `HTTP2ServerConfiguration.runsHandlersOnEventLoop`.
///
/// Jobs are queued here and run in batches, one loop task per batch: a job costs a lock and an append rather than a
/// loop task with a closure allocated to carry it, and the handlers started by one read run back to back, ahead of
/// the flush their writes scheduled.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop
    /// Jobs not yet run, and whether a loop task to run them is scheduled.
    private let pending = Mutex<(jobs: [UnownedJob], scheduled: Bool)>(([], false))
    /// The array the last batch was run from, kept for its capacity. Only the loop touches it.
    private var spare: [UnownedJob] = []

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = pending.withLock { state in
            state.jobs.append(job)
            defer { state.scheduled = true }
            return !state.scheduled
        }
        if schedule { loop.execute { self.runPending() } }
    }

    private func runPending() {
        var batch = spare
        pending.withLock { state in
            swap(&batch, &state.jobs)
            state.scheduled = false
        }
        let executor = asUnownedTaskExecutor()
        for job in batch { job.runSynchronously(on: executor) }
        batch.removeAll(keepingCapacity: true)
        spare = batch
    }
}
