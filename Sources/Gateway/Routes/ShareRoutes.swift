internal import FlowMessages
internal import Hummingbird

/// Sharing a file with another user, read or write; only its owner may share, list shares or revoke.
extension GatewayAPI {
    struct ShareBody: Decodable {
        var username: String
        var permission: String
    }

    struct ShareList: Encodable {
        var shares: [ShareRepresentation]
    }

    func registerShares(on router: Router<GatewayContext>) {
        router.post("/api/v1/files/:id/shares") { request, context in
            let caller = try await self.caller(request)
            let fileID = try RequestValues.id(context, "id")
            let body = try await self.decode(ShareBody.self, request)
            var share = Fileflow_V1_ShareFileRequest()
            share.fileID = fileID
            share.username = try Self.recipient(body.username)
            switch body.permission {
            case "read": share.permission = .read
            case "write": share.permission = .write
            default: throw APIError.invalid("permission must be read or write")
            }
            let granted = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.ShareFile.self, share, for: caller.id)
            return JSONResponse.make(.created, ShareRepresentation(granted))
        }
        router.get("/api/v1/files/:id/shares") { request, context in
            let caller = try await self.caller(request)
            var list = Fileflow_V1_ListSharesRequest()
            list.fileID = try RequestValues.id(context, "id")
            let shares = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.ListShares.self, list, for: caller.id)
            return JSONResponse.make(.ok, ShareList(shares: shares.shares.map(ShareRepresentation.init)))
        }
        router.delete("/api/v1/files/:id/shares/:username") { request, context in
            let caller = try await self.caller(request)
            var revoke = Fileflow_V1_RevokeShareRequest()
            revoke.fileID = try RequestValues.id(context, "id")
            revoke.username = try Self.recipient(try RequestValues.text(context, "username"))
            _ = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.RevokeShare.self, revoke, for: caller.id)
            return JSONResponse.noContent()
        }
    }

    /// A username as accounts are named; anything else cannot be a user (400).
    private static func recipient(_ username: String) throws -> String {
        try CredentialRules.checkUsername(username)
        return username
    }
}
