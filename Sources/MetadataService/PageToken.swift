import MeshRPC
import ServiceKit

/// An opaque cursor: `k.<sort>.<file id>.<sort key>` continues after that file in that order (keyset pagination
/// over the owner's files), `o.<offset>` continues a list the store can only page by position (files shared
/// with me). Hex-wrapped so clients treat it as opaque; anything else is INVALID_ARGUMENT.
enum PageToken: Equatable {
    case after(sort: Int32, fileID: String, key: String)
    case offset(Int)

    static let defaultPageSize = 50
    static let maxPageSize = 1000

    static func pageSize(_ requested: UInt32) -> Int {
        requested == 0 ? defaultPageSize : min(Int(requested), maxPageSize)
    }

    init?(_ token: String) {
        guard token.utf8.count <= 4096, let bytes = unhex(token),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        let parts = text.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("k", 4):
            guard let sort = Int32(parts[1]), let id = try? requireID(String(parts[2]), "page token") else {
                return nil
            }
            self = .after(sort: sort, fileID: id, key: String(parts[3]))
        case ("o", 2):
            guard let offset = Int(parts[1]), offset >= 0, offset <= 1_000_000 else { return nil }
            self = .offset(offset)
        default:
            return nil
        }
    }

    var encoded: String {
        switch self {
        case .after(let sort, let id, let key): hex(Array("k.\(sort).\(id).\(key)".utf8))
        case .offset(let offset): hex(Array("o.\(offset)".utf8))
        }
    }

    static func parse(_ token: String) throws -> PageToken? {
        guard !token.isEmpty else { return nil }
        guard let parsed = PageToken(token) else { throw RPCError.invalid("page_token is malformed") }
        return parsed
    }
}
