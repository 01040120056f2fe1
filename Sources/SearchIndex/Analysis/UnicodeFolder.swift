/// Folds scalars to their NFKC, case-folded, diacritic-free form, from a table generated at build time.
///
/// Why a table: Swift's standard library exposes no NFKC or decomposition API, and Foundation's
/// `precomposedStringWithCompatibilityMapping` / `folding(options:)` would pull ICU and Foundation (tens of MB, slow
/// start) into a module that otherwise depends on nothing. `Tools/searchindex/make_fold_table.py` derives the table
/// from Python's `unicodedata` (NFKC, `casefold`, NFD, drop U+0300–U+036F, NFC), so per scalar it equals what
/// Foundation would produce; a scalar absent from the table folds to itself.
///
/// Limits, by design: folding is per scalar, so compositions across scalars are not formed (a decomposed
/// `e` + U+0301 still folds to `e` because the combining acute is dropped; a decomposed kana + U+3099 keeps two
/// scalars). Marks of other scripts (kana voicing, Indic vowel signs) are kept because they change the word.
enum UnicodeFolder {
    /// Folded scalars of every scalar whose fold is not itself.
    static let table: [UInt32: [UInt32]] = {
        var result: [UInt32: [UInt32]] = [:]
        result.reserveCapacity(7000)
        var key: UInt32 = 0
        var value: UInt32 = 0
        var folded: [UInt32] = []
        var inKey = true
        var hasValue = false
        for byte in foldTableSource.utf8 {
            switch byte {
            case UInt8(ascii: ":"):
                inKey = false
            case UInt8(ascii: "."):
                folded.append(value)
                value = 0
            case UInt8(ascii: ","):
                if hasValue { folded.append(value) }
                result[key] = folded
                key = 0
                value = 0
                folded = []
                inKey = true
                hasValue = false
            case UInt8(ascii: "\n"):
                continue
            default:
                let digit = UInt32(hexDigit(byte))
                if inKey {
                    key = key << 4 | digit
                } else {
                    value = value << 4 | digit
                    hasValue = true
                }
            }
        }
        if !inKey {
            if hasValue { folded.append(value) }
            result[key] = folded
        }
        return result
    }()

    private static func hexDigit(_ byte: UInt8) -> UInt8 {
        byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "A") + 10
    }

    /// True for combining diacritics and invisible joiners that neither end a token nor belong in it.
    @inline(__always)
    static func isIgnorable(_ value: UInt32) -> Bool {
        (0x300...0x36F).contains(value) || value == 0x200D || value == 0x200C || value == 0x200B
            || (0xFE00...0xFE0F).contains(value) || value == 0xFEFF || value == 0x2060
    }
}
