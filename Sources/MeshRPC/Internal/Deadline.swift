/// Runs `body`, cancelling it at `deadline` and then failing with DEADLINE_EXCEEDED.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant?,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let deadline else { return try await body() }
    return try await withThrowingTaskGroup(of: DeadlineOutcome<T>.self) { group in
        group.addTask { .finished(try await body()) }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return .expired
        }
        defer { group.cancelAll() }
        switch try await group.next() {
        case .finished(let value):
            return value
        case .expired, nil:
            throw RPCError(code: .deadlineExceeded, message: "Deadline exceeded.")
        }
    }
}

private enum DeadlineOutcome<T: Sendable>: Sendable {
    case finished(T)
    case expired
}
