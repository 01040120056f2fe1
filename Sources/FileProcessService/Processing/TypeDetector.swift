/// Names a file's type from its first bytes (magic numbers), falling back to the name's extension only to tell
/// kinds of text apart. Never trusts the client's declared content type.
enum TypeDetector {
    /// How many leading bytes `detect` looks at.
    static let sniffBytes = 8192

    static func detect(prefix: ArraySlice<UInt8>, name: String) -> String {
        if let type = magic(prefix) { return type }
        guard looksLikeText(prefix) else { return "binary" }
        return textKind(prefix: prefix, name: name)
    }

    /// Types whose content `TextExtractor` can read.
    static func isTextLike(_ type: String) -> Bool {
        ["text", "markdown", "csv", "json", "html", "source", "xml"].contains(type)
    }

    private static let signatures: [(offset: Int, bytes: [UInt8], type: String)] = [
        (0, Array("%PDF-".utf8), "pdf"),
        (0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "png"),
        (0, [0xFF, 0xD8, 0xFF], "jpeg"),
        (0, Array("GIF87a".utf8), "gif"),
        (0, Array("GIF89a".utf8), "gif"),
        (8, Array("WEBP".utf8), "webp"),
        (0, [0x50, 0x4B, 0x03, 0x04], "zip"),
        (0, [0x1F, 0x8B], "gzip"),
        (0, Array("BZh".utf8), "bzip2"),
        (0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"),
        (0, [0x28, 0xB5, 0x2F, 0xFD], "zstd"),
        (0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "7z"),
        (0, [0x7F, 0x45, 0x4C, 0x46], "elf"),
        (0, Array("SQLite format 3\0".utf8), "sqlite"),
        (0, Array("OggS".utf8), "ogg"),
        (0, Array("fLaC".utf8), "flac"),
        (0, Array("ID3".utf8), "mp3"),
        (4, Array("ftyp".utf8), "mp4"),
        (257, Array("ustar".utf8), "tar"),
    ]

    private static func magic(_ prefix: ArraySlice<UInt8>) -> String? {
        let bytes = Array(prefix)
        for signature in signatures where bytes.count >= signature.offset + signature.bytes.count {
            if Array(bytes[signature.offset..<signature.offset + signature.bytes.count]) == signature.bytes {
                return signature.type
            }
        }
        return nil
    }

    /// Valid UTF-8 (a scalar cut at the end of the prefix is allowed), no NUL, and few control characters.
    static func looksLikeText(_ prefix: ArraySlice<UInt8>) -> Bool {
        guard !prefix.contains(0) else { return false }
        // The prefix may end inside a scalar: then what precedes that scalar's lead byte must be valid.
        var valid = String(validating: prefix, as: UTF8.self) != nil
        if !valid, let lead = prefix.suffix(3).lastIndex(where: { $0 >= 0xC0 }),
            prefix[(lead + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 })
        {
            valid = String(validating: prefix[..<lead], as: UTF8.self) != nil
        }
        guard valid else { return false }
        let controls = prefix.lazy.filter { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) }.count
        return controls * 100 <= prefix.count
    }

    private static let sourceExtensions: Set<String> = [
        "swift", "c", "h", "cc", "cpp", "hpp", "m", "py", "js", "mjs", "ts", "go", "rs", "java", "kt", "rb", "php",
        "sh", "pl", "lua", "sql", "cs", "scala", "yaml", "yml", "toml", "ini", "proto", "css",
    ]

    private static func textKind(prefix: ArraySlice<UInt8>, name: String) -> String {
        let ext = name.split(separator: ".").count > 1 ? name.split(separator: ".").last!.lowercased() : ""
        let head = String(decoding: prefix.prefix(512), as: UTF8.self).drop { $0.isWhitespace }.lowercased()
        if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || ext == "html" || ext == "htm" { return "html" }
        if head.hasPrefix("<?xml") || ext == "xml" { return "xml" }
        if ext == "json" || ((head.hasPrefix("{") || head.hasPrefix("[")) && ext.isEmpty) { return "json" }
        if ext == "md" || ext == "markdown" { return "markdown" }
        if ext == "csv" || ext == "tsv" { return "csv" }
        if sourceExtensions.contains(ext) { return "source" }
        return "text"
    }
}
