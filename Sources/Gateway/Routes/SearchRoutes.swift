internal import FlowMessages
import Foundation
internal import Hummingbird

/// Ranked search over the names and extracted text of the files the caller may read.
extension GatewayAPI {
    struct SearchResults: Encodable {
        struct Hit: Encodable {
            var file: FileRepresentation
            var score: Double
            var snippet: String
        }

        var hits: [Hit]
        var total: UInt64
        var tookMs: Double
    }

    func registerSearch(on router: Router<GatewayContext>) {
        router.get("/api/v1/search") { request, _ in
            let caller = try await self.caller(request)
            let query = try QueryParameters(request)
            guard let terms = try query.text("q", maxBytes: 1024), !terms.trimmingCharacters(in: .whitespaces).isEmpty
            else { throw APIError.invalid("q is required") }
            var search = Fileflow_V1_SearchRequest()
            search.query = terms
            search.type = try query.text("type", maxBytes: 64) ?? ""
            search.limit = UInt32(try query.integer("limit", in: 1...100, default: 20))
            if let owner = try query.text("owner", maxBytes: 256), !owner.isEmpty {
                guard let ownerID = try await self.ownerID(owner, for: caller) else {
                    return JSONResponse.make(.ok, SearchResults(hits: [], total: 0, tookMs: 0))
                }
                search.ownerID = ownerID
            }
            let response = try await self.mesh.search.call(Fileflow_V1_SearchService.Method.Query.self, search, for: caller.id)
            let hits = response.hits.map {
                SearchResults.Hit(file: FileRepresentation($0.file), score: $0.score.isFinite ? $0.score : 0,
                                  snippet: $0.snippet)
            }
            return JSONResponse.make(
                .ok, SearchResults(hits: hits, total: response.totalMatches, tookMs: Double(response.tookMicros) / 1000))
        }
    }

    /// `owner` is a user id or a username; nil when no such user exists (so nothing can match).
    private func ownerID(_ owner: String, for caller: AuthenticatedUser) async throws -> String? {
        if owner.utf8.count == 36, let uuid = UUID(uuidString: owner) { return uuid.uuidString.lowercased() }
        guard (try? CredentialRules.checkUsername(owner)) != nil else { return nil }
        var lookup = Fileflow_V1_GetUserRequest()
        lookup.key = .username(owner)
        do {
            return try await mesh.metadata.call(Fileflow_V1_MetadataService.Method.GetUser.self, lookup, for: caller.id)
                .userID
        } catch let error as APIError where error.status == .notFound {
            return nil
        }
    }
}
