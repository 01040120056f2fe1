/// A minimal English stemmer that folds plurals (Lucene's `EnglishMinimalStemmer`, after Harman 1991).
///
/// Minimal on purpose: file names and short extracted texts lose precision under aggressive stemming
/// (Porter maps "university" and "universe" together); plural folding gives most of the recall at none of that
/// cost. Only ASCII tokens are stemmed.
enum EnglishStemmer {
    /// Returns the stemmed length of the token in `bytes[start..<end]`, rewriting "ies" to "y" in place.
    static func stem(_ bytes: inout [UInt8], start: Int, end: Int) -> Int {
        let length = end - start
        guard length >= 3, bytes[end - 1] == UInt8(ascii: "s") else { return end }
        for i in start..<end where bytes[i] >= 0x80 { return end }
        switch bytes[end - 2] {
        case UInt8(ascii: "u"), UInt8(ascii: "s"):
            return end
        case UInt8(ascii: "e"):
            let third = bytes[end - 3]
            if length > 3 && third == UInt8(ascii: "i") {
                let fourth = bytes[end - 4]
                if fourth != UInt8(ascii: "a") && fourth != UInt8(ascii: "e") {
                    bytes[end - 3] = UInt8(ascii: "y")
                    return end - 2
                }
            }
            if third == UInt8(ascii: "i") || third == UInt8(ascii: "a") || third == UInt8(ascii: "o")
                || third == UInt8(ascii: "e")
            {
                return end
            }
            return end - 1
        default:
            return end - 1
        }
    }
}
