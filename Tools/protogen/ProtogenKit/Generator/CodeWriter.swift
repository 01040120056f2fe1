/// Accumulates indented Swift source, four spaces per level.
struct CodeWriter {
    private(set) var text = ""
    private var level = 0

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: level) + content + "\n"
        }
    }

    /// `header {`, the body one level in, `}`.
    mutating func block(_ header: String, _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(header + " {")
        level += 1
        try body(&self)
        level -= 1
        line("}")
    }

    /// `call(args) { parameters in ... }`: a trailing closure, for bodies a helper calls back.
    mutating func closure(_ call: String, parameters: String, _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(call + " { \(parameters) in")
        level += 1
        try body(&self)
        level -= 1
        line("}")
    }

    /// `switch x {` with its `case` lines at the switch's own level, as swift-format lays them out.
    mutating func switchBlock(_ header: String, _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(header + " {")
        try body(&self)
        line("}")
    }

    /// `case x:` with a multi-line body one level in.
    mutating func caseBlock(_ header: String, _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(header)
        level += 1
        try body(&self)
        level -= 1
    }

    /// `///` lines for a proto comment; nothing when there is none.
    mutating func docComment(_ lines: [String]) {
        for comment in lines {
            let trimmed = comment.hasPrefix(" ") ? String(comment.dropFirst()) : comment
            line(trimmed.isEmpty ? "///" : "/// " + trimmed)
        }
    }
}
