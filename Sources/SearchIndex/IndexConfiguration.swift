/// Per-field analysis and ranking settings, fixed for the life of an index directory.
///
/// Analyzers decide which terms are written, so changing them needs a reindex; the manifest records them and
/// `SearchIndex.open` refuses a directory written with different ones.
public struct IndexConfiguration: Sendable, Hashable {
    /// The name field keeps words as typed (no stemming): file names are precise.
    public var nameAnalyzer: Analyzer
    /// Extracted text folds English plurals.
    public var textAnalyzer: Analyzer
    /// Multiplies the name field's BM25: a hit in the file name matters more than one in its text.
    public var nameBoost: Double
    public var k1: Double
    public var b: Double
    /// A prefix clause matches at most this many terms per field, the most frequent first (and, in text, the typed
    /// word itself as stemmed).
    public var maxPrefixExpansions: Int
    /// The in-memory buffer is written as a segment once it holds this many postings (about 12 bytes each).
    public var maxBufferedPostings: Int

    public init(
        nameAnalyzer: Analyzer = Analyzer(stemming: false), textAnalyzer: Analyzer = Analyzer(stemming: true),
        nameBoost: Double = 2.0, k1: Double = 1.2, b: Double = 0.75, maxPrefixExpansions: Int = 64,
        maxBufferedPostings: Int = 32 << 20
    ) {
        self.nameAnalyzer = nameAnalyzer
        self.textAnalyzer = textAnalyzer
        self.nameBoost = nameBoost
        self.k1 = k1
        self.b = b
        self.maxPrefixExpansions = maxPrefixExpansions
        self.maxBufferedPostings = maxBufferedPostings
    }

    /// The settings that change what is on disk, with the segment format version, as manifest bytes.
    var fingerprint: [UInt8] {
        [SegmentFormat.version, nameAnalyzer.stemming ? 1 : 0, textAnalyzer.stemming ? 1 : 0]
    }
}
