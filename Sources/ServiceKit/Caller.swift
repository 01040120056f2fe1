public import MeshRPC

/// Who is asking: the `fileflow-caller-id` metadata the gateway sets on every call it makes for a user.
///
/// Mesh-internal calls (processing updating a status, for example) come without it. A service that takes a file
/// id answers NOT_FOUND for a file the caller may not see, so that ids leak nothing.
public struct Caller: Sendable, Hashable {
    public static let metadataKey = "fileflow-caller-id"

    /// The caller's user id, nil for a mesh-internal call.
    public let userID: String?

    /// Reads the caller of a request; a value that is not a user id is UNAUTHENTICATED.
    public init(_ metadata: Metadata) throws {
        try self.init(metadata.first(Self.metadataKey))
    }

    public init(_ raw: String?) throws {
        guard let raw, !raw.isEmpty else {
            userID = nil
            return
        }
        guard let id = try? requireID(raw, "caller") else {
            throw RPCError(code: .unauthenticated, message: "\(Self.metadataKey) is not a user id")
        }
        userID = id
    }

    /// The caller's user id; UNAUTHENTICATED for a call that names nobody.
    public func required() throws -> String {
        guard let userID else {
            throw RPCError(code: .unauthenticated, message: "\(Self.metadataKey) metadata is required")
        }
        return userID
    }

    /// Acting on `userID`'s own account: the caller, when named, must be that user.
    public func requireSelf(_ userID: String) throws {
        if let caller = self.userID, caller != userID {
            throw RPCError(code: .permissionDenied, message: "a caller may act only on their own account")
        }
    }

    /// Metadata naming `userID` as the caller, for a call made on a user's behalf.
    public static func metadata(for userID: String) -> Metadata {
        var metadata = Metadata()
        metadata.add(metadataKey, userID)
        return metadata
    }
}
