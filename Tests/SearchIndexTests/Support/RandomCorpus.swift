import SearchIndex

/// Random documents and queries from a seed: file-name-like names, short Zipf texts, Unicode words mixed in.
struct RandomCorpus {
    static let words = [
        "report", "reports", "budget", "draft", "final", "invoice", "photo", "meeting", "notes", "project",
        "repo", "repository", "release", "review", "résumé", "café", "naïve", "Привет", "мир", "файл",
        "東京", "写真", "データ", "😀", "🚀", "alpha", "beta", "gamma", "delta", "quarterly", "summary", "plan",
        "roadmap",
        "design", "spec", "backup", "archive", "scan", "contract", "salary", "travel", "receipt", "slides",
        "agenda", "minutes", "data", "export", "import", "v2", "2024", "q3", "HTMLParser", "fooBar",
    ]
    static let extensions = ["pdf", "docx", "txt", "png", "xlsx"]
    static let types = ["pdf", "docx", "txt", "png", "xlsx"]
    static let users = ["ann", "bob", "cid", "dan", "eve", "fay"]

    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    mutating func word() -> String {
        Self.words[random.skewed(Self.words.count)]
    }

    mutating func document(id: String) -> IndexDocument {
        let separators = ["_", "-", " ", ".", ""]
        var name = ""
        for i in 0..<Int.random(in: 1...4, using: &random) {
            if i > 0 { name += separators.randomElement(using: &random)! }
            name += word()
        }
        let ext = Self.extensions.randomElement(using: &random)!
        name += "." + ext
        let text = (0..<Int.random(in: 0...25, using: &random)).map { _ in word() }.joined(separator: " ")
        let owner = Self.users.randomElement(using: &random)!
        let readers = Self.users.filter { $0 != owner && Int.random(in: 0..<4, using: &random) == 0 }
        return IndexDocument(
            id: id, name: name, text: text,
            type: Bool.random(using: &random) ? ext : Self.types.randomElement(using: &random)!,
            owner: owner, readers: readers, created: Int64.random(in: 0..<1_000_000, using: &random),
            modified: Int64.random(in: 0..<1_000_000, using: &random))
    }

    /// A random request covering every query type, filters, ACLs and pages.
    mutating func request() -> SearchRequest {
        var query: String
        var mode = MatchMode.all
        var prefixLast = false
        switch Int.random(in: 0..<7, using: &random) {
        case 0: query = word()
        case 1: query = word() + " " + word()
        case 2:
            query = word() + " " + word()
            mode = .any
        case 3: query = word() + " OR " + word() + " " + word()
        case 4:
            let w = word()
            query = String(w.prefix(Int.random(in: 1...max(1, min(3, w.count)), using: &random))) + "*"
        case 5: query = "\"" + word() + " " + word() + "\""
        default:
            query = word() + " " + String(word().prefix(2))
            prefixLast = true
        }
        var spec = SearchRequest(query: query, user: nil, mode: mode, prefixLastToken: prefixLast)
        spec.user = Int.random(in: 0..<5, using: &random) == 0 ? nil : Self.users.randomElement(using: &random)!
        if Int.random(in: 0..<4, using: &random) == 0 { spec.types = [Self.types.randomElement(using: &random)!] }
        if Int.random(in: 0..<6, using: &random) == 0 { spec.owner = Self.users.randomElement(using: &random)! }
        if Int.random(in: 0..<5, using: &random) == 0 {
            let low = Int64.random(in: 0..<800_000, using: &random)
            spec.modifiedAfter = low
            spec.modifiedBefore = low + Int64.random(in: 0..<400_000, using: &random)
        }
        spec.offset = Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 1...8, using: &random) : 0
        spec.limit = [1, 5, 10, 20].randomElement(using: &random)!
        return spec
    }
}
