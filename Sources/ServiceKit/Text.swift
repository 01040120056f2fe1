extension String {
    /// At most `maxBytes` of this string's UTF-8, cut before a scalar boundary (never inside one).
    public func utf8Prefix(maxBytes: Int) -> String {
        let bytes = utf8
        guard bytes.count > maxBytes else { return self }
        var end = bytes.index(bytes.startIndex, offsetBy: max(0, maxBytes))
        while end > bytes.startIndex && bytes[end] & 0xC0 == 0x80 { end = bytes.index(before: end) }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
