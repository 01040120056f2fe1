import PostgresStore

extension LiveFeed {
    /// Listens on the notification channel until the task is cancelled, handing what it hears to the streams;
    /// then ends them all. Connection trouble is waited out with backoff; once back, every stream re-reads what is
    /// stored, since `NOTIFY`s sent meanwhile are lost.
    ///
    /// Cancellation is noticed within `pollMillis`, the longest a wait on the listening session blocks.
    public func listen(configuration: PostgresConfiguration, pollMillis: Int32 = 500) async {
        let listener = PostgresListener(configuration: configuration, channel: FileFlowStore.notificationChannel)
        var failures = 0
        while !Task.isCancelled {
            do {
                let payloads = try await listener.payloads(timeoutMillis: pollMillis)
                if !setListening(true) { wakeAll() }
                payloads.compactMap(FeedSignal.init(payload:)).forEach(deliver)
                failures = 0
            } catch {
                setListening(false, problem: "\(error)")
                failures += 1
                try? await Task.sleep(for: .milliseconds(min(2_000, 50 << min(failures, 5))))
            }
        }
        setListening(false, problem: "stopped")
        await listener.close()
        close()
    }
}
