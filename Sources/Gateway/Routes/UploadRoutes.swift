import Foundation
internal import Hummingbird

/// `POST /api/v1/files`: the body streamed into the file-process service, raw (`X-File-Name`, `Content-Type`) or
/// as the `file` part of a multipart form, with `X-File-Labels` either way. `Idempotency-Key` makes a retried
/// upload commit once.
extension GatewayAPI {
    var uploadPipe: UploadPipe {
        UploadPipe(mesh: mesh, statistics: statistics, maxBytes: configuration.maxUploadBytes)
    }

    func registerUploads(on router: Router<GatewayContext>) {
        router.post("/api/v1/files") { request, _ in
            let caller = try await self.caller(request)
            let uploadID = try Self.idempotencyKey(request)
            let declared = try Self.declaredLength(request)
            let labels = try LabelsText.parse(request.headers[.xFileLabels], from: "X-File-Labels")
            if let declared, declared > self.configuration.maxUploadBytes {
                throw UploadStream.tooLarge(self.configuration.maxUploadBytes)
            }
            let source: @Sendable (UploadStream) async throws -> Void
            if let contentType = request.headers[.contentType],
                let boundary = try MultipartReader.boundary(contentType: contentType)
            {
                source = { stream in
                    var reader = MultipartReader(body: request.body, boundary: boundary)
                    let part = try await reader.openFilePart()
                    try await stream.begin(.init(
                        name: try FileNames.check(part.filename), contentType: try FileNames.contentType(part.contentType),
                        size: nil, labels: labels))
                    try await reader.streamContent { try await stream.write($0) }
                }
            } else {
                let name = try FileNames.fromHeader(request.headers[.xFileName])
                let contentType = try FileNames.contentType(request.headers[.contentType])
                source = { stream in
                    try await stream.begin(.init(name: name, contentType: contentType, size: declared, labels: labels))
                    for try await buffer in request.body { try await stream.write(buffer) }
                }
            }
            let response = try await self.uploadPipe.upload(for: caller, uploadID: uploadID, source: source)
            return JSONResponse.make(
                .created, writing: FileRepresentation(response.file, jobID: response.jobID),
                headers: [.location: "/api/v1/files/\(response.file.fileID)"])
        }
    }

    /// The client's `Idempotency-Key` (printable ASCII, at most 100 bytes), else a fresh key.
    static func idempotencyKey(_ request: Request) throws -> String {
        guard let key = request.headers[.idempotencyKey] else { return "rest-" + UUIDs.random() }
        guard (1...100).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { throw APIError.invalid("Idempotency-Key must be 1 to 100 printable ASCII characters") }
        return "key-" + key
    }

    /// `Content-Length` when the client sent one (chunked bodies have none).
    static func declaredLength(_ request: Request) throws -> UInt64? {
        guard let text = request.headers[.contentLength] else { return nil }
        guard let length = UInt64(text) else { throw APIError.invalid("Content-Length is malformed") }
        return length
    }
}
