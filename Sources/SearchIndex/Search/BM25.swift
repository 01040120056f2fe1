#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// BM25 parameters and the per-term constants a cursor needs to score a posting with one division.
///
/// score(tf, len) = boost · idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen)),
/// idf = ln(1 + (N − df + 0.5)/(df + 0.5)), with N, df and avgLen over live (not deleted) documents of the whole
/// index, so scores do not depend on how documents are spread over segments.
struct TermWeight {
    let weight: Double
    let c1: Double
    let c2: Double

    init(boost: Double, idf: Double, k1: Double, b: Double, averageLength: Double) {
        weight = boost * idf * (k1 + 1)
        c1 = k1 * (1 - b)
        c2 = averageLength > 0 ? k1 * b / averageLength : 0
    }

    static func idf(documentCount: Int, df: Int) -> Double {
        let n = Double(documentCount), d = Double(df)
        return log(1 + (n - d + 0.5) / (d + 0.5))
    }

    @inline(__always)
    func score(tf: UInt32, length: UInt32) -> Double {
        let f = Double(tf)
        return weight * f / (f + c1 + c2 * Double(length))
    }
}
