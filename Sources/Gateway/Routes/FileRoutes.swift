internal import FlowMessages
internal import Hummingbird

/// Listing, metadata, trash and restore of files.
extension GatewayAPI {
    static let sorts: [String: Fileflow_V1_FileSort] = [
        "created_desc": .createdDesc, "created_asc": .createdAsc, "name_asc": .nameAsc, "size_desc": .sizeDesc,
    ]

    /// A list request from `limit`, `cursor` and `sort`.
    static func listRequest(_ query: QueryParameters) throws -> Fileflow_V1_ListFilesRequest {
        var list = Fileflow_V1_ListFilesRequest()
        list.page = try page(query)
        if let sort = query["sort"] {
            guard let value = sorts[sort] else {
                throw APIError.invalid("sort must be one of \(sorts.keys.sorted().joined(separator: ", "))")
            }
            list.sort = value
        }
        return list
    }

    func registerFiles(on router: Router<GatewayContext>) {
        router.get("/api/v1/files") { request, _ in
            let caller = try await self.caller(request)
            let query = try QueryParameters(request)
            let page = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.ListFiles.self, try Self.listRequest(query), for: caller.id)
            return JSONResponse.make(.ok, writing: FilePage(page))
        }
        router.get("/api/v1/shared-with-me") { request, _ in
            let caller = try await self.caller(request)
            let list = try Self.listRequest(try QueryParameters(request))
            let page = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.ListSharedWithMe.self, list, for: caller.id)
            return JSONResponse.make(.ok, writing: FilePage(page))
        }
        router.get("/api/v1/files/:id") { request, context in
            let caller = try await self.caller(request)
            let file = try await self.file(try RequestValues.id(context, "id"), for: caller)
            return JSONResponse.make(.ok, writing: FileRepresentation(file))
        }
        router.delete("/api/v1/files/:id") { request, context in
            let caller = try await self.caller(request)
            var delete = Fileflow_V1_DeleteRequest()
            delete.fileID = try RequestValues.id(context, "id")
            _ = try await self.mesh.deletion.call(Fileflow_V1_DeletionService.Method.Delete.self, delete, for: caller.id)
            return JSONResponse.noContent()
        }
        router.post("/api/v1/files/:id/restore") { request, context in
            let caller = try await self.caller(request)
            var restore = Fileflow_V1_RestoreRequest()
            restore.fileID = try RequestValues.id(context, "id")
            let file = try await self.mesh.deletion.call(
                Fileflow_V1_DeletionService.Method.Restore.self, restore, for: caller.id)
            return JSONResponse.make(.ok, writing: FileRepresentation(file))
        }
    }

    /// A file the caller may see (404 otherwise, also for other users' files).
    func file(_ id: String, for caller: AuthenticatedUser) async throws -> Fileflow_V1_FileMetadata {
        var get = Fileflow_V1_GetFileRequest()
        get.fileID = id
        return try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.GetFile.self, get, for: caller.id)
    }

    /// `limit` (1–1000, default 50) and the opaque `cursor` of the previous page.
    static func page(_ query: QueryParameters) throws -> Fileflow_V1_PageRequest {
        var page = Fileflow_V1_PageRequest()
        page.pageSize = UInt32(try query.integer("limit", in: 1...1000, default: 50))
        page.pageToken = try query.text("cursor", maxBytes: 512) ?? ""
        return page
    }
}
