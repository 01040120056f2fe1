import FlowMessages
import MeshRPC
import PostgresStore
import SearchIndex
import ServiceKit

extension SearchService {
    static let maxQueryBytes = 1024
    static let defaultLimit = 10
    static let maxLimit = 100
    /// How many hits each query ranks: pages reach this deep, and `total_matches` counts up to it.
    static let rankedHits = 1000
    /// Snippets are cut from this much of a hit's extracted text.
    static let snippetSourceCharacters = 32_768

    /// One page of the caller's hits: ranked by the index, then re-checked against Postgres so that a file trashed,
    /// purged or unshared a moment ago is left out even before its event reaches the index.
    func query(_ request: Fileflow_V1_SearchRequest, caller: String) async throws -> Fileflow_V1_SearchResponse {
        let (search, limit, offset, fingerprint) = try Self.searchRequest(request, caller: caller)
        let clock = ContinuousClock()
        let started = clock.now
        let (ranked, parsed) = try rank(search)
        let took = clock.now - started

        let page = ranked.dropFirst(offset).prefix(limit)
        let visible = try await store.visibleSearchHits(
            fileIDs: page.map(\.id), userID: caller, textCharacters: Self.snippetSourceCharacters)
        let byID = Dictionary(visible.map { ($0.file.fileID, $0) }, uniquingKeysWith: { first, _ in first })
        let snippet = Snippet(query: parsed, textAnalyzer: writer.index.configuration.textAnalyzer)

        var response = Fileflow_V1_SearchResponse()
        response.hits = page.compactMap { hit in
            byID[hit.id].map { found in
                var result = Fileflow_V1_SearchHit()
                result.file = Fileflow_V1_FileMetadata(found.file, permission: found.permission)
                result.score = hit.score
                result.snippet = snippet.excerpt(of: found.textPrefix)
                return result
            }
        }
        response.totalMatches = UInt64(ranked.count)
        if offset + limit < ranked.count {
            response.nextPageToken = SearchPageToken(offset: offset + limit, fingerprint: fingerprint).encoded
        }
        response.tookMicros = UInt64(max(0, took / .microseconds(1)))
        return response
    }

    /// The index's hits for `search`, and how it understood the query; a query it refuses is INVALID_ARGUMENT.
    private func rank(_ search: SearchRequest) throws -> (hits: [SearchHit], query: ParsedQuery) {
        do {
            return (try writer.index.search(search), try writer.index.parse(search))
        } catch {
            guard error.code == .invalidQuery else { throw error }
            throw RPCError.invalid("query: \(error.message)")
        }
    }

    /// The index request for `request`, with the page it asks for; INVALID_ARGUMENT for anything out of bounds.
    static func searchRequest(_ request: Fileflow_V1_SearchRequest, caller: String) throws
        -> (search: SearchRequest, limit: Int, offset: Int, fingerprint: UInt64)
    {
        guard request.query.utf8.count <= maxQueryBytes else {
            throw RPCError.invalid("query is \(request.query.utf8.count) bytes; at most \(maxQueryBytes) are allowed")
        }
        guard request.limit <= maxLimit else {
            throw RPCError.invalid("limit must be between 1 and \(maxLimit) (0 means \(defaultLimit))")
        }
        guard request.type.utf8.count <= 255 else { throw RPCError.invalid("type is longer than 255 bytes") }
        let owner = request.ownerID.isEmpty ? nil : try requireID(request.ownerID, "owner_id")
        let after = request.hasCreatedAfter
            ? try seconds(request.createdAfter, "created_after", roundingUp: true) : nil
        let before = request.hasCreatedBefore
            ? try seconds(request.createdBefore, "created_before", roundingUp: false) : nil
        let fingerprint = SearchPageToken.fingerprint([
            request.query, request.type, owner ?? "", after.map(String.init) ?? "", before.map(String.init) ?? "",
        ])
        var offset = 0
        if !request.pageToken.isEmpty {
            guard let token = SearchPageToken(encoded: request.pageToken), token.offset < rankedHits else {
                throw RPCError.invalid("page_token is malformed")
            }
            guard token.fingerprint == fingerprint else {
                throw RPCError.invalid("page_token belongs to another search")
            }
            offset = token.offset
        }
        let search = SearchRequest(
            query: request.query, user: caller, prefixLastToken: true,
            types: request.type.isEmpty ? [] : [request.type], owner: owner, createdAfter: after,
            createdBefore: before, offset: 0, limit: rankedHits)
        return (search, request.limit == 0 ? defaultLimit : Int(request.limit), offset, fingerprint)
    }

    /// Whole seconds of a bound (the index stores seconds): an exclusive fraction rounds toward the inside.
    private static func seconds(_ timestamp: Google_Protobuf_Timestamp, _ field: String, roundingUp: Bool) throws
        -> Int64
    {
        guard (0..<1_000_000_000).contains(timestamp.nanos) else {
            throw RPCError.invalid("\(field) has nanos outside 0...999999999")
        }
        return timestamp.seconds + (roundingUp && timestamp.nanos > 0 ? 1 : 0)
    }
}
