internal import FlowMessages
internal import Hummingbird
internal import MeshRPC
internal import MeshRPCProto
internal import ServiceKit

/// Streams one upload into `FileProcessService.Upload`: the header, then the content in order, each write awaited
/// so the client is read no faster than the service stores (backpressure end to end). Memory holds one
/// coalescing buffer of at most `chunkBytes`, whatever the file size.
struct UploadPipe: Sendable {
    /// 1 MiB: each message costs a fixed round of hops between the request's task and the two event loops, so
    /// 256 KiB messages held a 1 GiB upload to about 530 MB/s where 1 MiB ones reach 800-900 (file-process takes
    /// messages of up to 4 MiB).
    static let chunkBytes = 1 << 20

    let mesh: Mesh
    let statistics: GatewayStatistics
    let maxBytes: UInt64

    /// What a source knows of the upload before its first byte.
    struct Description: Sendable {
        var name: String
        var contentType: String
        var size: UInt64?
        var labels: [String: String] = [:]
    }

    /// Runs `source`, which must call `begin` once and then `write` the content, inside the Upload call made for
    /// `user`. A source's own error (bad input, a client that went away) wins over the RPC failure it causes.
    /// `fromClient` is false when the bytes come from TUS staging, which counted them and reported progress as
    /// they arrived.
    func upload(
        for user: AuthenticatedUser, uploadID: String, expectedSHA256: [UInt8] = [], fromClient: Bool = true,
        source: @escaping @Sendable (UploadStream) async throws -> Void
    ) async throws -> Fileflow_V1_UploadResponse {
        let sourceFailure = Locked<(any Error)?>(nil)
        let reporter = Locked<ProgressReporter?>(nil)
        let request = StreamingClientRequest<Fileflow_V1_UploadRequest>(metadata: Caller.metadata(for: user.id)) {
            [mesh, statistics, maxBytes] writer in
            let stream = UploadStream(
                writer: writer, maxBytes: maxBytes, uploadID: uploadID, expectedSHA256: expectedSHA256,
                statistics: fromClient ? statistics : nil,
                makeReporter: { description in
                    guard fromClient else { return nil }
                    let made = ProgressReporter(
                        client: mesh.notification, userID: user.id, fileName: description.name,
                        total: description.size ?? 0)
                    reporter.withLock { $0 = made }
                    return made
                })
            do {
                try await source(stream)
                try await stream.finish()
            } catch let failure as UploadStream.WriteFailure {
                throw failure.underlying
            } catch {
                sourceFailure.withLock { $0 = error }
                throw error
            }
        }
        do {
            let response = try await mesh.fileProcess.clientStreaming(Fileflow_V1_FileProcessService.Method.Upload.self, request)
            statistics.uploadCommitted()
            if fromClient { reporter.value?.finished(fileID: response.message.file.fileID) }
            return response.message
        } catch {
            if let failure = sourceFailure.value { throw failure }
            guard let rpc = error as? RPCError else { throw error }
            if rpc.code == .dataLoss || rpc.code == .outOfRange {
                throw APIError.invalid(rpc.message, code: "content_mismatch")
            }
            throw APIError(rpc, quotaApplies: true)
        }
    }
}

/// The writing end a source uses: `begin` with the file's description, then `write` content in order.
final class UploadStream {
    /// An error of the RPC stream itself (the service refused or went away): its status tells the client why.
    struct WriteFailure: Error {
        var underlying: any Error
    }

    private let writer: RPCWriter<Fileflow_V1_UploadRequest>
    private let maxBytes: UInt64
    private let uploadID: String
    private let expectedSHA256: [UInt8]
    private let statistics: GatewayStatistics?
    private let makeReporter: (UploadPipe.Description) -> ProgressReporter?
    private var pending: [UInt8] = []
    private var declared: UInt64?
    private var reporter: ProgressReporter?
    private(set) var received: UInt64 = 0

    init(
        writer: RPCWriter<Fileflow_V1_UploadRequest>, maxBytes: UInt64, uploadID: String, expectedSHA256: [UInt8],
        statistics: GatewayStatistics?, makeReporter: @escaping (UploadPipe.Description) -> ProgressReporter?
    ) {
        self.writer = writer
        self.maxBytes = maxBytes
        self.uploadID = uploadID
        self.expectedSHA256 = expectedSHA256
        self.statistics = statistics
        self.makeReporter = makeReporter
    }

    /// Sends the header; a declared size over the limit is 413 before anything is stored.
    func begin(_ description: UploadPipe.Description) async throws {
        if let size = description.size, size > maxBytes { throw Self.tooLarge(maxBytes) }
        var header = Fileflow_V1_UploadHeader()
        header.name = description.name
        header.contentType = description.contentType
        if let size = description.size { header.size = size }
        header.labels = description.labels
        header.uploadID = uploadID
        header.expectedSha256 = expectedSHA256
        declared = description.size
        reporter = makeReporter(description)
        var message = Fileflow_V1_UploadRequest()
        message.part = .header(header)
        try await send(message)
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await write(buffer.readableBytesView)
    }

    func write(_ bytes: some Collection<UInt8>) async throws {
        received += UInt64(bytes.count)
        guard received <= maxBytes else { throw Self.tooLarge(maxBytes) }
        if let declared, received > declared {
            throw APIError.invalid("more bytes arrived than the declared \(declared)", code: "content_mismatch")
        }
        pending.append(contentsOf: bytes)
        if pending.count >= UploadPipe.chunkBytes { try await flush() }
    }

    func finish() async throws {
        if !pending.isEmpty { try await flush() }
    }

    private func flush() async throws {
        try await sendPending()
        statistics?.uploaded(bytes: pending.count)
        pending.removeAll(keepingCapacity: true)
        reporter?.report(received)
    }

    /// Sends `pending` as a chunk; the message (serialized on the way out) is gone on return, so `pending` is again
    /// its buffer's only owner and is emptied in place, not reallocated for every chunk.
    private func sendPending() async throws {
        var message = Fileflow_V1_UploadRequest()
        message.part = .chunk(pending)
        try await send(message)
    }

    private func send(_ message: Fileflow_V1_UploadRequest) async throws {
        do {
            try await writer.write(message)
        } catch {
            throw WriteFailure(underlying: error)
        }
    }

    static func tooLarge(_ limit: UInt64) -> APIError {
        APIError(.contentTooLarge, "file_too_large", "files may be at most \(limit) bytes")
    }
}
