import MeshRPC
import ServiceKit

/// An opaque cursor: `c.<created micros>.<file id>` continues after that file (keyset pagination over the
/// owner's files), `o.<offset>` continues a list the store can only page by position (files shared with me).
/// Hex-wrapped so clients treat it as opaque; anything else is INVALID_ARGUMENT.
enum PageToken: Equatable {
    case after(createdAtMicros: Int64, fileID: String)
    case offset(Int)

    static let defaultPageSize = 50
    static let maxPageSize = 1000

    static func pageSize(_ requested: UInt32) -> Int {
        requested == 0 ? defaultPageSize : min(Int(requested), maxPageSize)
    }

    init?(_ token: String) {
        guard token.utf8.count <= 256, let bytes = unhex(token) else { return nil }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: ".", omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("c", 3):
            guard let micros = Int64(parts[1]), let id = try? requireID(String(parts[2]), "page token") else {
                return nil
            }
            self = .after(createdAtMicros: micros, fileID: id)
        case ("o", 2):
            guard let offset = Int(parts[1]), offset >= 0, offset <= 1_000_000 else { return nil }
            self = .offset(offset)
        default:
            return nil
        }
    }

    var encoded: String {
        switch self {
        case .after(let micros, let id): hex(Array("c.\(micros).\(id)".utf8))
        case .offset(let offset): hex(Array("o.\(offset)".utf8))
        }
    }

    static func parse(_ token: String) throws -> PageToken? {
        guard !token.isEmpty else { return nil }
        guard let parsed = PageToken(token) else { throw RPCError.invalid("page_token is malformed") }
        return parsed
    }
}
