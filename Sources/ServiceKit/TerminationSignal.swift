import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM or SIGINT, the way every long-running subcommand is told to stop.
///
/// Create it first thing, before starting work, so that a signal arriving during start-up is not lost (nor kills
/// the process by its default action). The signals are ignored as such and observed through dispatch sources, so
/// this works whatever threads the async runtime or a C library (librdkafka starts its own) have created, which a
/// blocked-signal mask would not: the mask holds only for threads created after it.
public final class TerminationSignal: @unchecked Sendable {
    private let queue = DispatchQueue(label: "fileflow.termination-signal")
    /// Touched only on `queue`: the sources, the signal once received, whether the wait was cancelled, and the
    /// waiter once `received()` is called.
    private var sources: [any DispatchSourceSignal] = []
    private var signalNumber: Int32?
    private var cancelled = false
    private var waiter: CheckedContinuation<Int32?, Never>?

    public init() {
        queue.sync {
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [unowned self] in self.deliver(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    /// Returns the number of the first termination signal, waiting for it if none has come yet; nil when the
    /// waiting task is cancelled first.
    public func received() async -> Int32? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { [self] in
                    if let signalNumber {
                        continuation.resume(returning: signalNumber)
                    } else if cancelled {
                        continuation.resume(returning: nil)
                    } else {
                        waiter = continuation
                    }
                }
            }
        } onCancel: {
            queue.async { [self] in
                cancelled = true
                waiter?.resume(returning: nil)
                waiter = nil
            }
        }
    }

    private func deliver(_ number: Int32) {
        guard signalNumber == nil else { return }
        signalNumber = number
        waiter?.resume(returning: number)
        waiter = nil
    }
}
