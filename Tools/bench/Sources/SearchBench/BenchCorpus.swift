import SearchIndex

/// SplitMix64, so the corpus and queries are the same on every run and for every peer.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A deterministic corpus: a generated vocabulary, Zipf-distributed words, file-name-like titles, short texts.
///
/// Words are built from syllables that never end in "s", so the text field's plural stemming leaves them alone and
/// the peers (which do not stem) index exactly the same terms. Every document is kept as term ids, for the
/// brute-force reference.
struct BenchCorpus {
    static let syllables = [
        "ka", "lo", "mi", "ne", "ru", "ta", "vo", "xi", "ze", "po", "qua", "bel", "dor", "fin", "gar", "hul",
        "jin", "kor", "lum", "mar", "nor", "pel", "rin", "tor", "ul", "vin", "wex", "yor", "zan", "cha", "dre",
        "fro", "gli", "pra", "sto", "tri", "ble", "cro", "ame", "ori",
    ]
    static let extensions = ["pdf", "docx", "txt", "png", "jpg", "xlsx", "pptx", "md", "csv", "zip"]

    let vocabulary: [String]
    /// Term id of each extension: vocabulary ids come first, then the extensions.
    var termCount: Int { vocabulary.count + Self.extensions.count }
    private let cumulative: [Double]
    var random = SplitMix(state: 0x5EED)

    // Flattened documents: term ids of name and text, with offsets.
    var nameTerms: [UInt32] = []
    var nameStarts: [Int] = [0]
    var textTerms: [UInt32] = []
    var textStarts: [Int] = [0]
    var owners: [UInt16] = []

    init(vocabularySize: Int) {
        var words: [String] = []
        words.reserveCapacity(vocabularySize)
        let n = Self.syllables.count
        for i in 0..<vocabularySize {
            var value = i + n * n
            var word = ""
            while value > 0 {
                word = Self.syllables[value % n] + word
                value /= n
            }
            words.append(word)
        }
        // Shuffle ranks so frequent words are not all short.
        var shuffler = SplitMix(state: 42)
        words.shuffle(using: &shuffler)
        vocabulary = words
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(vocabularySize)
        for rank in 1...vocabularySize {
            total += 1.0 / Double(rank)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    mutating func zipfWord() -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func term(_ id: UInt32) -> String {
        Int(id) < vocabulary.count ? vocabulary[Int(id)] : Self.extensions[Int(id) - vocabulary.count]
    }

    /// Generates document `i`, records its terms, and returns it.
    mutating func makeDocument(_ i: Int) -> IndexDocument {
        let nameWords = 1 + Int(random.next() % 3)
        var name = ""
        for k in 0..<nameWords {
            let w = zipfWord()
            nameTerms.append(UInt32(w))
            var word = vocabulary[w]
            let style = random.next() % 4
            if k > 0 {
                switch style {
                case 0: name += "_"
                case 1: name += "-"
                case 2: name += " "
                default: word = word.prefix(1).uppercased() + word.dropFirst()
                }
            }
            name += word
        }
        let ext = Int(random.next() % UInt64(Self.extensions.count))
        name += "." + Self.extensions[ext]
        nameTerms.append(UInt32(vocabulary.count + ext))
        nameStarts.append(nameTerms.count)
        let textWords = 8 + Int(random.next() % 33)
        var text = ""
        for k in 0..<textWords {
            let w = zipfWord()
            textTerms.append(UInt32(w))
            if k > 0 { text += " " }
            text += vocabulary[w]
        }
        textStarts.append(textTerms.count)
        let owner = UInt16(random.next() % 1000)
        owners.append(owner)
        let reader = "user\(random.next() % 1000)"
        return IndexDocument(
            id: "d\(i)", name: name, text: text, type: Self.extensions[ext], owner: "user\(owner)",
            readers: [reader], created: 1_600_000_000 + Int64(i), modified: 1_600_000_000 + Int64(i))
    }
}
