internal import FlowMessages
internal import Hummingbird

/// The caller's profile and quota.
extension GatewayAPI {
    struct Profile: Encodable {
        struct QuotaUse: Encodable {
            var usedBytes: UInt64
            var limitBytes: UInt64
        }

        var userID: String
        var username: String
        var email: String
        var displayName: String
        var isAdmin: Bool
        var quota: QuotaUse
    }

    struct ProfileUpdate: Decodable {
        var email: String?
        var displayName: String?
    }

    func registerUsers(on router: Router<GatewayContext>) {
        router.get("/api/v1/users/me") { request, _ in
            let caller = try await self.caller(request)
            return JSONResponse.make(.ok, try await self.profile(caller, user: nil))
        }
        router.patch("/api/v1/users/me") { request, _ in
            let caller = try await self.caller(request)
            let body = try await self.decode(ProfileUpdate.self, request)
            var update = Fileflow_V1_UpdateUserRequest()
            update.userID = caller.id
            if let email = body.email {
                try CredentialRules.checkEmail(email)
                update.email = email
            }
            if let name = body.displayName {
                try CredentialRules.checkDisplayName(name)
                update.displayName = name
            }
            let user = try await self.mesh.metadata.call(
                Fileflow_V1_MetadataService.Method.UpdateUser.self, update, for: caller.id)
            return JSONResponse.make(.ok, try await self.profile(caller, user: user))
        }
    }

    private func profile(_ caller: AuthenticatedUser, user known: Fileflow_V1_User?) async throws -> Profile {
        let user: Fileflow_V1_User
        if let known {
            user = known
        } else {
            var lookup = Fileflow_V1_GetUserRequest()
            lookup.key = .userID(caller.id)
            user = try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.GetUser.self, lookup, for: caller.id)
        }
        var quotaRequest = Fileflow_V1_GetQuotaRequest()
        quotaRequest.userID = caller.id
        let quota = try await mesh.metadata.call(
            Fileflow_V1_MetadataService.Method.GetQuota.self, quotaRequest, for: caller.id)
        return Profile(
            userID: user.userID, username: user.username, email: user.email, displayName: user.displayName,
            isAdmin: user.isAdmin || configuration.admins.contains(user.username),
            quota: .init(usedBytes: quota.usedBytes, limitBytes: quota.limitBytes))
    }
}
