import Foundation

/// `page_token`: where the next page starts in the ranked hits, bound to the search it continues, so a token
/// replayed with another query is refused instead of silently paging through something else.
///
/// base64url of `s1.<offset>.<fingerprint>`: opaque to clients, and anything that does not parse is refused.
struct SearchPageToken: Equatable {
    var offset: Int
    var fingerprint: UInt64

    init(offset: Int, fingerprint: UInt64) {
        self.offset = offset
        self.fingerprint = fingerprint
    }

    init?(encoded token: String) {
        guard token.utf8.count <= 128 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "s1", let offset = Int(parts[1]), offset >= 0,
              let fingerprint = UInt64(parts[2], radix: 16)
        else { return nil }
        self.init(offset: offset, fingerprint: fingerprint)
    }

    var encoded: String {
        Data("s1.\(offset).\(String(fingerprint, radix: 16))".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// FNV-1a (64 bit) over the fields that select and rank the hits, each followed by a 0 byte; stable across
    /// processes (unlike `Hasher`), so any replica accepts the token.
    static func fingerprint(_ fields: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for field in fields {
            for byte in field.utf8 + [0] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return hash
    }
}
