import FlowMessages
import MeshRPC
import PostgresStore
import ServiceKit

extension MetadataService {
    func createUser(_ request: Fileflow_V1_CreateUserRequest, caller: Caller) async throws -> Fileflow_V1_User {
        try validateUsername(request.username)
        guard request.password.utf8.count >= 8 else { throw RPCError.invalid("password must be at least 8 bytes") }
        guard request.password.utf8.count <= PasswordHasher.maxPasswordBytes else {
            throw RPCError.invalid("password is longer than \(PasswordHasher.maxPasswordBytes) bytes")
        }
        let hash = try hasher.hash(request.password)
        do {
            return Fileflow_V1_User(try await store.createUser(
                username: request.username, passwordHash: hash, email: request.email,
                displayName: request.displayName))
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw RPCError(code: .alreadyExists, message: "username \(request.username) is taken")
        }
    }

    func verifyCredentials(_ request: Fileflow_V1_VerifyCredentialsRequest, caller: Caller) async throws
        -> Fileflow_V1_User
    {
        let refused = RPCError(code: .unauthenticated, message: "username or password does not match")
        guard !request.username.isEmpty, request.username.utf8.count <= FileFlowStore.Limits.usernameBytes,
            request.password.utf8.count <= PasswordHasher.maxPasswordBytes
        else { throw refused }
        guard let user = try await store.user(username: request.username) else {
            // Same work as a real check, so timing does not tell which usernames exist.
            _ = hasher.verify(request.password, against: Self.decoyHash)
            throw refused
        }
        guard hasher.verify(request.password, against: user.passwordHash) else { throw refused }
        return Fileflow_V1_User(user)
    }

    func getUser(_ request: Fileflow_V1_GetUserRequest, caller: Caller) async throws -> Fileflow_V1_User {
        let user: UserRecord?
        switch request.key {
        case .userID(let id): user = try await store.user(id: try requireID(id, "user_id"))
        case .username(let name):
            try validateUsername(name)
            user = try await store.user(username: name)
        case nil: throw RPCError.invalid("user_id or username is required")
        }
        guard let user else { throw RPCError.notFound("no such user") }
        return Fileflow_V1_User(user)
    }

    func updateUser(_ request: Fileflow_V1_UpdateUserRequest, caller: Caller) async throws -> Fileflow_V1_User {
        let id = try requireID(request.userID, "user_id")
        try caller.requireSelf(id)
        guard let user = try await store.updateUser(
            id: id, email: request.hasEmail ? request.email : nil,
            displayName: request.hasDisplayName ? request.displayName : nil)
        else { throw RPCError.notFound("no such user") }
        return Fileflow_V1_User(user)
    }

    func getQuota(_ request: Fileflow_V1_GetQuotaRequest, caller: Caller) async throws -> Fileflow_V1_Quota {
        let id = try requireID(request.userID, "user_id")
        try caller.requireSelf(id)
        guard try await store.user(id: id) != nil else { throw RPCError.notFound("no such user") }
        return Fileflow_V1_Quota(userID: id, try await store.quota(userID: id))
    }

    /// Refuses before any byte is stored when the declared size would pass the quota; `CommitFile` checks again.
    func reserveUpload(_ request: Fileflow_V1_ReserveUploadRequest, caller: Caller) async throws
        -> Fileflow_V1_ReserveUploadResponse
    {
        let id = try requireID(request.ownerID, "owner_id")
        try caller.requireSelf(id)
        guard try await store.user(id: id) != nil else { throw RPCError.notFound("no such user") }
        let quota = try await store.quota(userID: id)
        if let quota, request.size > 0,
            request.size > UInt64(clamping: max(0, quota.limitBytes - quota.usedBytes))
        {
            throw RPCError(
                code: .resourceExhausted,
                message: "upload of \(request.size) bytes passes the quota (\(quota.usedBytes) of \(quota.limitBytes) used)")
        }
        var response = Fileflow_V1_ReserveUploadResponse()
        response.quota = Fileflow_V1_Quota(userID: id, quota)
        return response
    }

    private func validateUsername(_ name: String) throws {
        guard !name.isEmpty else { throw RPCError.invalid("username must not be empty") }
        guard name.utf8.count <= FileFlowStore.Limits.usernameBytes else {
            throw RPCError.invalid("username is longer than \(FileFlowStore.Limits.usernameBytes) bytes")
        }
        guard name.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.value >= 0x20 && $0.value != 0x7F })
        else { throw RPCError.invalid("username must not contain spaces or control characters") }
    }

    /// A valid hash of a random password, verified against when the username is unknown.
    static let decoyHash = (try? PasswordHasher().hash(newUUID())) ?? ""
}
