/// Turns field text into index terms: fold, split, optionally stem.
///
/// One tokenizer serves every text field, so a query word yields the same number of tokens in each field and a
/// query clause can pair `name:token` with `text:token`; fields differ only in stemming (the name field keeps exact
/// words, extracted text folds plurals). Splitting is tuned for file names:
/// - separators are anything that is not a letter or digit (`_`, `-`, `.`, spaces), so `report-final.PDF` gives
///   `report`, `final`, `pdf` and the extension is its own token;
/// - camelCase splits before an upper-case letter after a lower-case one, and `HTMLParser` splits into `html`,
///   `parser`;
/// - letters and digits split apart (`v2` → `v`, `2`; `2024report` → `2024`, `report`);
/// - each CJK ideograph, kana and emoji is a token of its own (no dictionary segmentation; phrases recover order).
/// Folding is NFKC + case folding + diacritic removal per scalar (`UnicodeFolder`), with an ASCII fast path.
public struct Analyzer: Sendable, Hashable {
    /// Whether English plurals are folded (`reports` → `report`).
    public var stemming: Bool

    /// Tokens longer than this many bytes are dropped: they are hashes or garbage, never searched for.
    static let maxTokenBytes = 96

    public init(stemming: Bool) {
        self.stemming = stemming
    }

    /// The analyzed tokens as strings, for tests and diagnostics.
    public func tokens(_ text: String) -> [String] {
        var stream = TokenStream()
        analyze(text, into: &stream)
        return (0..<stream.count).map { String(decoding: stream.bytes[stream.range($0)], as: UTF8.self) }
    }

    /// Appends the tokens of `text` to `stream`.
    func analyze(_ text: String, into stream: inout TokenStream) {
        var builder = TokenBuilder(stream: stream, stemming: stemming)
        stream = TokenStream()
        var text = text
        text.withUTF8 { utf8 in
            var i = 0
            let n = utf8.count
            while i < n {
                let byte = utf8[i]
                if byte < 0x80 {
                    i += 1
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"): builder.add(byte, .lower)
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): builder.add(byte | 0x20, .upper)
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): builder.add(byte, .digit)
                    default: builder.endToken()
                    }
                    continue
                }
                var value: UInt32
                let length: Int
                if byte < 0xE0 {
                    value = UInt32(byte & 0x1F)
                    length = 2
                } else if byte < 0xF0 {
                    value = UInt32(byte & 0x0F)
                    length = 3
                } else {
                    value = UInt32(byte & 0x07)
                    length = 4
                }
                for k in 1..<length where i + k < n {
                    value = value << 6 | UInt32(utf8[i + k] & 0x3F)
                }
                i += length
                builder.addScalar(value)
            }
        }
        builder.endToken()
        stream = builder.stream
    }

    /// Folds a keyword value (file type, user id) whole, without splitting: `PDF` and `pdf` match.
    static func foldKeyword(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                out.append(UInt8(value) | (UInt8(ascii: "A")...UInt8(ascii: "Z") ~= UInt8(value) ? 0x20 : 0))
                continue
            }
            if UnicodeFolder.isIgnorable(value) { continue }
            for folded in UnicodeFolder.table[value] ?? [value] {
                if let s = Unicode.Scalar(folded) { out.append(contentsOf: Array(String(Character(s)).utf8)) }
            }
        }
        return out
    }
}

/// The class of a scalar for token splitting.
enum ScalarClass {
    case lower, upper, caseless, digit, standalone
}

/// Accumulates folded bytes into tokens while tracking the case and digit boundaries of the original text.
struct TokenBuilder {
    var stream: TokenStream
    let stemming: Bool
    private var tokenStart: Int
    private var previous: ScalarClass?
    private var upperRun = 0
    private var lastUpperStart = 0

    init(stream: TokenStream, stemming: Bool) {
        self.stream = stream
        self.stemming = stemming
        self.tokenStart = stream.bytes.count
    }

    @inline(__always)
    mutating func add(_ byte: UInt8, _ cls: ScalarClass) {
        boundary(before: cls)
        stream.bytes.append(byte)
    }

    /// Applies the split rules for a scalar of class `cls` about to be appended.
    @inline(__always)
    private mutating func boundary(before cls: ScalarClass) {
        if let previous {
            switch (previous, cls) {
            case (.digit, .lower), (.digit, .upper), (.digit, .caseless),
                 (.lower, .digit), (.upper, .digit), (.caseless, .digit), (.lower, .upper):
                endToken()
            case (.upper, .lower) where upperRun >= 2:
                let removed = emit(end: lastUpperStart)
                tokenStart = lastUpperStart - removed
                upperRun = 1
            default:
                break
            }
        }
        if cls == .upper {
            if previous == .upper { upperRun += 1 } else { upperRun = 1 }
            lastUpperStart = stream.bytes.count
        }
        previous = cls
    }

    mutating func addScalar(_ value: UInt32) {
        if UnicodeFolder.isIgnorable(value) { return }
        guard let scalar = Unicode.Scalar(value) else { return endToken() }
        let properties = scalar.properties
        let originalClass: ScalarClass? =
            properties.isUppercase ? .upper : properties.isLowercase ? .lower : nil
        let folded = UnicodeFolder.table[value]
        if let folded {
            for f in folded { addFolded(f, originalClass: originalClass) }
        } else {
            addFolded(value, originalClass: originalClass)
        }
    }

    private mutating func addFolded(_ value: UInt32, originalClass: ScalarClass?) {
        if value < 0x80 {
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): add(byte, originalClass ?? .lower)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): add(byte, .digit)
            default: endToken()
            }
            return
        }
        guard let scalar = Unicode.Scalar(value) else { return endToken() }
        let properties = scalar.properties
        if Self.isStandalone(value, properties) {
            endToken()
            appendUTF8(scalar)
            endToken()
        } else if properties.isAlphabetic {
            boundary(before: originalClass ?? .caseless)
            appendUTF8(scalar)
        } else if properties.generalCategory == .decimalNumber {
            boundary(before: .digit)
            appendUTF8(scalar)
        } else if properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark {
            // Marks of non-Latin scripts (kana voicing, Indic vowel signs) stay inside the word.
            if previous != nil { appendUTF8(scalar) }
        } else {
            endToken()
        }
    }

    /// Ideographs, kana and emoji: each one is a word of its own.
    private static func isStandalone(_ value: UInt32, _ properties: Unicode.Scalar.Properties) -> Bool {
        if properties.isIdeographic { return true }
        if (0x3040...0x30FF).contains(value) || (0x31F0...0x31FF).contains(value) || (0xFF66...0xFF9F).contains(value) {
            return true
        }
        return value >= 0x2100 && properties.isEmoji && !properties.isAlphabetic
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            stream.bytes.append(UInt8(value))
        } else if value < 0x800 {
            stream.bytes.append(0xC0 | UInt8(value >> 6))
            stream.bytes.append(0x80 | UInt8(value & 0x3F))
        } else if value < 0x10000 {
            stream.bytes.append(0xE0 | UInt8(value >> 12))
            stream.bytes.append(0x80 | UInt8((value >> 6) & 0x3F))
            stream.bytes.append(0x80 | UInt8(value & 0x3F))
        } else {
            stream.bytes.append(0xF0 | UInt8(value >> 18))
            stream.bytes.append(0x80 | UInt8((value >> 12) & 0x3F))
            stream.bytes.append(0x80 | UInt8((value >> 6) & 0x3F))
            stream.bytes.append(0x80 | UInt8(value & 0x3F))
        }
    }

    mutating func endToken() {
        emit(end: stream.bytes.count)
        tokenStart = stream.bytes.count
        previous = nil
        upperRun = 0
    }

    /// Closes the token `bytes[tokenStart..<end]`, keeping any bytes after `end` as the start of the next token.
    /// Returns how many bytes before `end` were removed (by stemming or dropping an oversize token).
    @discardableResult
    private mutating func emit(end: Int) -> Int {
        guard end > tokenStart else { return 0 }
        if end - tokenStart > Analyzer.maxTokenBytes {
            stream.bytes.removeSubrange(tokenStart..<end)
            return end - tokenStart
        }
        var tokenEnd = end
        if stemming {
            tokenEnd = EnglishStemmer.stem(&stream.bytes, start: tokenStart, end: end)
            if tokenEnd < end { stream.bytes.removeSubrange(tokenEnd..<end) }
        }
        stream.ends.append(tokenEnd)
        tokenStart = tokenEnd
        return end - tokenEnd
    }
}
