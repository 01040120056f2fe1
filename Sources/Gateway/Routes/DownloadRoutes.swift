internal import FlowMessages
internal import Hummingbird
internal import MeshRPC
internal import MeshRPCProto
internal import ServiceKit

/// `GET|HEAD /api/v1/files/{id}/content`: the content streamed from the file-process service as it arrives
/// (never held whole), with a strong ETag (the SHA-256), `If-None-Match` → 304, and single `Range`s → 206.
extension GatewayAPI {
    func registerDownloads(on router: Router<GatewayContext>) {
        router.get("/api/v1/files/:id/content") { request, context in
            try await self.download(request, context, includeBody: true)
        }
        router.head("/api/v1/files/:id/content") { request, context in
            try await self.download(request, context, includeBody: false)
        }
    }

    private func download(_ request: Request, _ context: GatewayContext, includeBody: Bool) async throws -> Response {
        let caller = try await self.caller(request)
        let file = try await file(try RequestValues.id(context, "id"), for: caller)
        let tag = EntityTag.make(sha256: Hex.string(file.sha256))
        var headers: HTTPFields = [.eTag: tag, .acceptRanges: "bytes", .cacheControl: "private, no-cache"]
        if let condition = request.headers[.ifNoneMatch], EntityTag.matches(ifNoneMatch: condition, tag) {
            return Response(status: .notModified, headers: headers)
        }
        guard file.status != .quarantined else {
            throw APIError(.conflict, "file_quarantined", "the file failed the virus scan and cannot be downloaded")
        }
        let size = file.size
        var range = ByteRange(header: request.headers[.range], size: size)
        if let validator = request.headers[.ifRange], validator != tag { range = .whole }
        let status: HTTPResponse.Status
        let offset: UInt64
        let length: UInt64
        switch range {
        case .unsatisfiable:
            throw APIError(.rangeNotSatisfiable, "range_not_satisfiable", "the range lies outside the \(size) bytes",
                           headers: [.contentRange: "bytes */\(size)"])
        case .whole:
            (status, offset, length) = (.ok, 0, size)
        case .partial(let first, let last):
            (status, offset, length) = (.partialContent, first, last - first + 1)
            headers[.contentRange] = "bytes \(first)-\(last)/\(size)"
        }
        headers[.contentType] = (try? FileNames.contentType(file.contentType)) ?? "application/octet-stream"
        headers[.contentDisposition] = ContentDisposition.attachment(file.name)
        headers[.contentLength] = String(length)
        guard includeBody, length > 0 else { return Response(status: status, headers: headers) }

        var wanted = Fileflow_V1_DownloadRequest()
        wanted.fileID = file.fileID
        wanted.offset = offset
        wanted.length = length
        wanted.version = file.currentVersion.version
        let call = ClientRequest(metadata: Caller.metadata(for: caller.id), message: wanted)
        let fileID = file.fileID
        let (client, statistics, logger) = (mesh.fileProcess, self.statistics, self.logger)
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            let pieces = Handoff<[UInt8]>(capacity: 4)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await client.serverStreaming(Fileflow_V1_FileProcessService.Method.Download.self, call) {
                            for try await chunk in $0.messages where !chunk.data.isEmpty { try await pieces.send(chunk.data) }
                        }
                        pieces.finish()
                    } catch {
                        logger.warning("download broke off", metadata: ["file_id": "\(fileID)", "error": "\(error)"])
                        pieces.finish(throwing: error)
                    }
                }
                defer { pieces.cancel() }
                while let piece = try await pieces.next() {
                    try await writer.write(ByteBuffer(bytes: piece))
                    statistics.downloaded(bytes: piece.count)
                }
            }
            try await writer.finish(nil)
        })
    }
}
