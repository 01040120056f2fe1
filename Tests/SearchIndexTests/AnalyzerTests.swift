import Testing
@testable import SearchIndex

@Suite("Analyzer: file names and Unicode")
struct AnalyzerTests {
    let plain = Analyzer(stemming: false)
    let stemming = Analyzer(stemming: true)

    @Test("file-name tokenisation: camelCase, snake_case, kebab-case, digits, extensions")
    func fileNames() {
        #expect(plain.tokens("quarterlyReport_final-v2.PDF") == ["quarterly", "report", "final", "v", "2", "pdf"])
        #expect(plain.tokens("HTMLParser.swift") == ["html", "parser", "swift"])
        #expect(plain.tokens("IMG_20240131_1200.jpeg") == ["img", "20240131", "1200", "jpeg"])
        #expect(plain.tokens("my-repo.tar.gz") == ["my", "repo", "tar", "gz"])
        #expect(plain.tokens("2024report") == ["2024", "report"])
        #expect(plain.tokens("") == [])
        #expect(plain.tokens("  ...___  ") == [])
    }

    @Test("Latin diacritics fold, composed or decomposed")
    func diacritics() {
        #expect(plain.tokens("Résumé Café NAÏVE") == ["resume", "cafe", "naive"])
        #expect(plain.tokens("Re\u{301}sume\u{301}") == ["resume"])
        // ø and æ are letters of their own, not o or a with a mark: Unicode gives them no decomposition.
        #expect(plain.tokens("Straße Ærøskøbing") == ["strasse", "ærøskøbing"])
        #expect(plain.tokens("ŁÓDŹ") == ["łodz"])
    }

    @Test("NFKC compatibility forms: full-width, ligatures, superscripts")
    func compatibility() {
        #expect(plain.tokens("ＡＢＣ１２３") == ["abc", "123"])
        #expect(plain.tokens("ﬁle") == ["file"])
        #expect(plain.tokens("x²") == ["x", "2"])
    }

    @Test("Cyrillic folds case and diacritics, and splits camelCase")
    func cyrillic() {
        #expect(plain.tokens("Привет МИР") == ["привет", "мир"])
        #expect(plain.tokens("ёжик Йод") == ["ежик", "иод"])
        #expect(plain.tokens("отчётФинал.docx") == ["отчет", "финал", "docx"])
    }

    @Test("CJK ideographs and kana are single-character tokens; Hangul words stay whole")
    func cjk() {
        #expect(plain.tokens("東京タワー写真.jpg") == ["東", "京", "タ", "ワ", "ー", "写", "真", "jpg"])
        #expect(plain.tokens("서울 사진") == ["서울", "사진"])
    }

    @Test("emoji are tokens of their own; joiners and variation selectors vanish")
    func emoji() {
        #expect(plain.tokens("party🎉time") == ["party", "🎉", "time"])
        #expect(plain.tokens("❤️report") == ["❤", "report"])
        #expect(plain.tokens("👩‍💻") == ["👩", "💻"])
    }

    @Test("minimal English stemming folds plurals only")
    func stemmingRules() {
        #expect(stemming.tokens("reports policies boxes glass status")
            == ["report", "policy", "boxe", "glass", "status"])
        #expect(stemming.tokens("running universities") == ["running", "university"])
        #expect(plain.tokens("reports") == ["reports"])
    }

    @Test("oversize tokens are dropped, the rest kept")
    func oversize() {
        let long = String(repeating: "a", count: 200)
        #expect(plain.tokens("start \(long) end") == ["start", "end"])
    }

    @Test("keywords fold whole")
    func keywords() {
        #expect(Analyzer.foldKeyword("PDF") == Array("pdf".utf8))
        #expect(Analyzer.foldKeyword("Ｐdf") == Array("pdf".utf8))
    }
}
