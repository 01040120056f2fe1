import Testing
@testable import SearchIndex

/// Phrases check their rarest term's neighbours' hashes before probing the other terms. Words whose hashes collide
/// must still be told apart by positions, and the hashes must be those of the tokens as each field analyzes them.
@Suite("Neighbour signatures")
struct NeighborSignatureTests {
    static func textNibble(_ word: String) -> UInt8 {
        NeighborSignature.nibble(key: [Field.text.rawValue] + Array(word.utf8))
    }

    /// Two different words with the same hash nibble in text (so only positions can tell "x rare" from "y rare").
    static func collidingWords() -> (String, String) {
        var seen: [UInt8: String] = [:]
        for i in 0..<1_000 {
            var word = "zq", n = i
            repeat {
                word.append(Character(UnicodeScalar(UInt8(97 + n % 26))))
                n /= 26
            } while n > 0
            let nibble = Self.textNibble(word)
            if let other = seen[nibble] { return (other, word) }
            seen[nibble] = word
        }
        preconditionFailure("sixteen nibbles cannot hold a thousand words apart")
    }

    func ids(_ index: SearchIndex, _ query: String) throws -> [String] {
        try index.search(SearchRequest(query: query, user: nil)).map(\.id).sorted()
    }

    @Test("signatures spread words over all sixteen values")
    func nibbles() {
        var counts = [Int](repeating: 0, count: 16)
        for i in 0..<16_000 { counts[Int(Self.textNibble("term\(i)"))] += 1 }
        #expect(counts.allSatisfy { $0 > 800 && $0 < 1_200 }, "\(counts)")
    }

    @Test("colliding neighbours, either side, three-word phrases, stemmed text, before and after a merge")
    func collisions() throws {
        let (x, y) = Self.collidingWords()
        #expect(Self.textNibble(x) == Self.textNibble(y))
        let directory = TemporaryDirectory()
        let index = try SearchIndex(directory: directory.path)
        // "rare" is the rarest word, so it proposes the candidates and its neighbours' hashes are checked. Words are
        // letters only, as the analyzer splits letters from digits.
        let filler = (0..<40).map { ["alpha", "beta", "gamma", "delta"][$0 % 4] }.joined(separator: " ")
        let texts = [
            "xr": "\(x) rare \(filler)", "yr": "\(filler) \(y) rare", "ry": "rare \(y) \(filler)",
            "apart": "\(y) \(filler) rare", "mid": "\(x) rare \(y) \(filler)", "plural": "\(y) rares \(x)",
        ]
        for (id, text) in texts.sorted(by: { $0.key < $1.key }) {
            try index.add(IndexDocument(id: id, name: "\(id).txt", text: text, owner: "ann"))
            for k in 0..<20 {
                try index.add(IndexDocument(
                    id: "\(id)-filler\(k)", name: "f.txt", text: "\(x) \(y) \(filler) \(x) \(y)", owner: "ann"))
            }
            try index.commit()
        }
        func check(_ stage: String) throws {
            #expect(try ids(index, "\"\(x) rare\"") == ["mid", "xr"], "\(stage)")
            #expect(try ids(index, "\"\(y) rare\"") == ["plural", "yr"], "\(stage): stemmed text")
            #expect(try ids(index, "\"rare \(y)\"") == ["mid", "ry"], "\(stage)")
            #expect(try ids(index, "\"rare \(x)\"") == ["plural"], "\(stage): stemmed text")
            #expect(try ids(index, "\"\(x) rare \(y)\"") == ["mid"], "\(stage): rarest in the middle")
            #expect(try ids(index, "\"\(y) rare \(x)\"") == ["plural"], "\(stage): rarest in the middle")
            #expect(try ids(index, "\"\(y) rare \(y)\"") == [], "\(stage): colliding on both sides")
            #expect(try ids(index, "\"\(y) \(x) rare\"") == [], "\(stage): rarest last")
        }
        try check("segments")
        #expect(try index.merge(maxSegments: 1))
        try check("merged")
        let reopened = try SearchIndex(directory: directory.path)
        #expect(try ids(reopened, "\"\(x) rare\"") == ["mid", "xr"], "reopened")
    }
}
