import Foundation
import ServiceKit

/// Turns a text-like file's leading bytes into the plain text the search index gets: decoded as UTF-8 (invalid
/// sequences replaced), NUL and other control characters removed, markup stripped from HTML and XML, bounded to
/// `maxBytes`. PDFs go through `pdftotext` (poppler) when it is installed.
enum TextExtractor {
    /// The most text kept per file (the `files.extracted_text` limit).
    static let maxBytes = 1 << 20
    /// How much content is read to extract from: markup can be much larger than the text it holds.
    static let maxInputBytes = 4 << 20

    static func extract(_ bytes: [UInt8], type: String) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if type == "html" || type == "xml" { text = stripMarkup(text) }
        return clean(text).utf8Prefix(maxBytes: maxBytes)
    }

    /// Removes NUL and control characters other than tab and newlines (Postgres `text` refuses NUL).
    static func clean(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar.value >= 0x20 || scalar == "\n" || scalar == "\t" || scalar == "\r" {
            if scalar.value != 0x7F && scalar != "\u{FFFD}" { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// Drops tags, comments, and the contents of `<script>` and `<style>`; decodes the common entities.
    static func stripMarkup(_ html: String) -> String {
        var text = html
        for pattern in ["(?is)<script\\b.*?</script\\s*>", "(?is)<style\\b.*?</style\\s*>", "(?s)<!--.*?-->", "(?s)<[^>]*>"] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let entities = ["&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&apos;": "'", "&nbsp;": " ", "&amp;": "&"]
        for (entity, character) in entities { text = text.replacingOccurrences(of: entity, with: character) }
        return text
    }

    /// Runs `pdftotext` on a PDF at `path`; nil when the tool is missing or fails (the file is still processed).
    static func pdfText(path: String, timeoutSeconds: Double = 60) -> String? {
        guard let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first(where: FileManager.default.isExecutableFile)
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-q", "-enc", "UTF-8", "-l", "200", path, "-"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: killer)
        var data = Data()
        while let chunk = try? output.fileHandleForReading.read(upToCount: 64 << 10), !chunk.isEmpty {
            if data.count < maxInputBytes { data.append(chunk) }
        }
        process.waitUntilExit()
        killer.cancel()
        guard process.terminationStatus == 0 else { return nil }
        return clean(String(decoding: data, as: UTF8.self)).utf8Prefix(maxBytes: maxBytes)
    }
}
