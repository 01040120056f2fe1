internal import FlowMessages
import Foundation
internal import Hummingbird

/// TUS 1.0.0 at `/api/v1/uploads/`: core (HEAD, PATCH), creation, creation-with-upload, termination, checksum
/// (sha256, sha1) and expiration. Bytes are staged on disk (see `TusStore`), so an upload resumes across gateway
/// restarts; when the last byte is durable the staged file is streamed into the file-process service with the TUS
/// id as the idempotency key and its SHA-256 as the expected digest. The committing request (and any later HEAD)
/// answers `X-File-Id`. A commit that failed (a service was down) is retried by the next HEAD or PATCH.
extension GatewayAPI {
    static let tusVersion = "1.0.0"
    static let tusExtensions = "creation,creation-with-upload,termination,checksum,expiration"

    func registerTus(on router: Router<GatewayContext>) {
        for path in ["/api/v1/uploads", "/api/v1/uploads/:id"] {
            router.on(RouterPath(path), method: .options) { _, _ in self.tusDiscovery() }
        }
        router.post("/api/v1/uploads") { request, _ in try await self.tus(request) { try await self.tusCreate(request) } }
        router.head("/api/v1/uploads/:id") { request, context in
            try await self.tus(request) { try await self.tusHead(request, context) }
        }
        router.patch("/api/v1/uploads/:id") { request, context in
            try await self.tus(request) { try await self.tusPatch(request, context) }
        }
        router.delete("/api/v1/uploads/:id") { request, context in
            try await self.tus(request) { try await self.tusTerminate(request, context) }
        }
        // X-HTTP-Method-Override, for clients that cannot send PATCH or DELETE.
        router.post("/api/v1/uploads/:id") { request, context in
            try await self.tus(request) {
                switch request.headers[.xHTTPMethodOverride]?.uppercased() {
                case "PATCH": try await self.tusPatch(request, context)
                case "DELETE": try await self.tusTerminate(request, context)
                case "HEAD": try await self.tusHead(request, context)
                default:
                    _ = try await self.caller(request)
                    throw APIError(.methodNotAllowed, "method_not_allowed",
                                   "POST an upload URL only with X-HTTP-Method-Override")
                }
            }
        }
    }

    private func tusDiscovery() -> Response {
        Response(status: .noContent, headers: [
            .tusResumable: Self.tusVersion, .tusVersion: Self.tusVersion, .tusExtension: Self.tusExtensions,
            .tusMaxSize: String(configuration.maxUploadBytes), .tusChecksumAlgorithm: TusChecksum.algorithms,
        ])
    }

    /// Checks `Tus-Resumable` (412 with `Tus-Version` when unsupported) and stamps it on the answer, errors included.
    private func tus(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            guard request.headers[.tusResumable] == Self.tusVersion else {
                throw APIError(.preconditionFailed, "unsupported_tus_version", "send Tus-Resumable: \(Self.tusVersion)",
                               headers: [.tusVersion: Self.tusVersion])
            }
            var response = try await body()
            response.headers[.tusResumable] = Self.tusVersion
            return response
        } catch var error as APIError {
            error.headers[.tusResumable] = Self.tusVersion
            throw error
        }
    }

    private func tusCreate(_ request: Request) async throws -> Response {
        let caller = try await self.caller(request)
        guard request.headers[.uploadDeferLength] == nil, request.headers[.uploadConcat] == nil else {
            throw APIError.invalid("deferred lengths and concatenation are not supported; send Upload-Length")
        }
        guard let text = request.headers[.uploadLength], let length = UInt64(text) else {
            throw APIError.invalid("Upload-Length must be a non-negative integer")
        }
        guard length <= configuration.maxUploadBytes else { throw UploadStream.tooLarge(configuration.maxUploadBytes) }
        let metadata = try TusMetadata(request.headers[.uploadMetadata])
        let name = try metadata.text("filename").map(FileNames.check) ?? "upload"
        let contentType = try FileNames.contentType(try metadata.text("filetype") ?? metadata.text("content_type"))
        _ = try LabelsText.parse(try metadata.text("labels"), from: "Upload-Metadata labels")
        var reserve = Fileflow_V1_ReserveUploadRequest()
        reserve.ownerID = caller.id
        reserve.size = length
        _ = try await mesh.metadata.call(
            Fileflow_V1_MetadataService.Method.ReserveUpload.self, reserve, for: caller.id, quotaApplies: true)

        var upload = try await uploads.create(
            owner: caller.id, length: length, metadata: request.headers[.uploadMetadata] ?? "", fileName: name,
            contentType: contentType)
        var headers: HTTPFields = [.location: "/api/v1/uploads/\(upload.id)"]
        try await uploads.withLock(upload.id) {
            if request.headers[.contentType] == Self.offsetOctetStream {
                upload = try await receive(request, into: upload, for: caller)
                headers[.uploadOffset] = String(upload.offset)
            }
            upload = try await commitIfComplete(upload, for: caller)
        }
        Self.describe(upload, into: &headers)
        return Response(status: .created, headers: headers)
    }

    private func tusHead(_ request: Request, _ context: GatewayContext) async throws -> Response {
        try await withOwnedUpload(request, context) { upload, caller in
            let upload = try await commitIfComplete(upload, for: caller)
            var headers: HTTPFields = [
                .uploadOffset: String(upload.offset), .uploadLength: String(upload.length), .cacheControl: "no-store",
            ]
            if !upload.metadata.isEmpty { headers[.uploadMetadata] = upload.metadata }
            Self.describe(upload, into: &headers)
            return Response(status: .ok, headers: headers)
        }
    }

    private func tusPatch(_ request: Request, _ context: GatewayContext) async throws -> Response {
        try await withOwnedUpload(request, context) { upload, caller in
            guard request.headers[.contentType] == Self.offsetOctetStream else {
                throw APIError(.unsupportedMediaType, "unsupported_media_type",
                               "PATCH bodies must be \(Self.offsetOctetStream)")
            }
            guard let text = request.headers[.uploadOffset], let offset = UInt64(text) else {
                throw APIError.invalid("Upload-Offset must be a non-negative integer")
            }
            guard offset == upload.offset else {
                throw APIError(.conflict, "offset_mismatch", "the upload is at offset \(upload.offset), not \(offset)",
                               headers: [.uploadOffset: String(upload.offset)])
            }
            if let declared = request.headers[.uploadLength], declared != String(upload.length) {
                throw APIError.invalid("Upload-Length cannot change (it is \(upload.length))")
            }
            let stored = try await commitIfComplete(try await receive(request, into: upload, for: caller), for: caller)
            var headers: HTTPFields = [.uploadOffset: String(stored.offset)]
            Self.describe(stored, into: &headers)
            return Response(status: .noContent, headers: headers)
        }
    }

    private func tusTerminate(_ request: Request, _ context: GatewayContext) async throws -> Response {
        try await withOwnedUpload(request, context) { upload, _ in
            await uploads.remove(upload.id)
            return Response(status: .noContent)
        }
    }

    /// Runs `body` on the caller's upload named by the URL while no other request works on it.
    private func withOwnedUpload(
        _ request: Request, _ context: GatewayContext,
        _ body: (TusUpload, AuthenticatedUser) async throws -> Response
    ) async throws -> Response {
        let caller = try await self.caller(request)
        let id = try Self.uploadID(context)
        return try await uploads.withLock(id) { try await body(try await ownedUpload(id, for: caller), caller) }
    }

    /// The caller's live upload: 404 for unknown ids and other users' uploads, 410 once expired.
    private func ownedUpload(_ id: String, for caller: AuthenticatedUser) async throws -> TusUpload {
        guard let upload = try await uploads.load(id), upload.ownerID == caller.id else {
            throw APIError.notFound("no such upload")
        }
        guard upload.expiresAt > Date().timeIntervalSince1970 else {
            await uploads.remove(id)
            throw APIError(.gone, "upload_expired", "the upload expired; start a new one")
        }
        return upload
    }

    /// `Upload-Expires` while unfinished, `X-File-Id` once committed.
    private static func describe(_ upload: TusUpload, into headers: inout HTTPFields) {
        if let fileID = upload.fileID {
            headers[.xFileID] = fileID
        } else {
            headers[.uploadExpires] = upload.expiresHeader
        }
    }

    private static func uploadID(_ context: GatewayContext) throws -> String {
        guard let id = context.parameters.get("id"), TusStore.isValidID(id) else {
            throw APIError.notFound("no such upload")
        }
        return id
    }

    static let offsetOctetStream = "application/offset+octet-stream"
}

extension HTTPResponse.Status {
    static let checksumMismatch = HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
}
