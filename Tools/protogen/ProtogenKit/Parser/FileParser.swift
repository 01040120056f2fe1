/// A recursive-descent parser for one proto3 file, producing a `ParsedFile` (names not yet resolved).
///
/// It stops at the first error, so each file reports one clear problem instead of a cascade. Recursion (nested
/// messages) is bounded by `maxDepth` so hostile input cannot exhaust the stack. Checks that need only this file
/// (field numbers, reserved ranges, duplicate names within a scope, enum rules) run here, where the exact
/// positions of every token are still at hand; checks needing other files run in `TypeResolver`.
final class FileParser {
    /// Deepest message nesting accepted; protoc's own limit is in the same range.
    static let maxDepth = 64
    /// Largest field number (2^29 - 1).
    static let maxFieldNumber: Int64 = 536_870_911
    static let implementationReservedNumbers: ClosedRange<Int64> = 19000...19999

    let tokens: [Token]
    let source: [UInt8]
    let path: String
    var index = 0
    var depth = 0
    var package = ""
    var parsed: ParsedFile
    /// Set once a message, enum or service is declared, after which `package` may no longer change full names.
    var hasDefinitions = false

    private init(tokens: [Token], source: [UInt8], path: String) {
        self.tokens = tokens
        self.source = source
        self.path = path
        self.parsed = ParsedFile(
            file: ProtoFile(path: path, package: "", imports: [], options: [], messages: [], enums: [], services: []),
            imports: []
        )
    }

    /// Parses `source` (the bytes of the file at `path`, relative to its include root).
    static func parse(source: [UInt8], path: String) throws(ProtoSyntaxError) -> ParsedFile {
        let tokens = try Lexer.tokenize(source, file: path)
        let parser = FileParser(tokens: tokens, source: source, path: path)
        try parser.parseFile()
        return parser.parsed
    }

    // MARK: Token helpers

    var current: Token { tokens[index] }

    func peekToken(_ ahead: Int) -> Token {
        tokens[min(index + ahead, tokens.count - 1)]
    }

    @discardableResult
    func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ message: String, at location: SourceLocation? = nil) -> ProtoSyntaxError {
        ProtoSyntaxError(location: location ?? current.location, message: message)
    }

    func consumeSymbol(_ symbol: Character) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    func expectSymbol(_ symbol: Character, _ context: String) throws(ProtoSyntaxError) {
        guard consumeSymbol(symbol) else {
            throw error("expected \"\(symbol)\" \(context), found \(current.quoted)")
        }
    }

    func expectKeyword(_ word: String, _ context: String) throws(ProtoSyntaxError) {
        guard current.isIdentifier(word) else {
            throw error("expected \"\(word)\" \(context), found \(current.quoted)")
        }
        advance()
    }

    func expectIdentifier(_ what: String) throws(ProtoSyntaxError) -> Token {
        guard current.kind == .identifier else {
            throw error("expected \(what), found \(current.quoted)")
        }
        return advance()
    }

    /// `ident { "." ident }`
    func parseFullIdent(_ what: String) throws(ProtoSyntaxError) -> (name: String, location: SourceLocation) {
        let first = try expectIdentifier(what)
        var name = first.text
        while current.isSymbol(".") {
            advance()
            name += "." + (try expectIdentifier("an identifier after \".\" in \(what)")).text
        }
        return (name, first.location)
    }

    /// `[ "." ] ident { "." ident }` — a message or enum reference, or a scalar type keyword.
    func parseTypeName(_ what: String) throws(ProtoSyntaxError) -> (name: String, location: SourceLocation) {
        let location = current.location
        if consumeSymbol(".") {
            let rest = try parseFullIdent(what)
            return ("." + rest.name, location)
        }
        return try parseFullIdent(what)
    }

    /// The decoded text of one or more adjacent string literals (`"a" "b"` reads as `"ab"`).
    func parseString(_ what: String) throws(ProtoSyntaxError) -> (bytes: [UInt8], location: SourceLocation) {
        guard current.kind == .string else {
            throw error("expected \(what) (a string literal), found \(current.quoted)")
        }
        let location = current.location
        var bytes: [UInt8] = []
        while current.kind == .string { bytes += advance().stringBytes }
        return (bytes, location)
    }

    /// An integer literal with an optional leading `-`, as a 64-bit signed value.
    func parseInteger(_ what: String, allowNegative: Bool) throws(ProtoSyntaxError) -> (Int64, SourceLocation) {
        let location = current.location
        let negative = current.isSymbol("-")
        if negative {
            guard allowNegative else { throw error("\(what) must be positive") }
            advance()
        }
        guard current.kind == .integer else {
            throw error("expected \(what) (an integer), found \(current.quoted)")
        }
        let token = advance()
        guard let magnitude = token.integerValue, magnitude <= UInt64(Int64.max) else {
            throw error("\(what) \(token.text) is out of range", at: location)
        }
        return (negative ? -Int64(magnitude) : Int64(magnitude), location)
    }

    func qualified(_ scope: String, _ name: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }

    /// Fails on a name already declared in the same scope (`names` maps names to where they were declared).
    func declare(
        _ name: String, at location: SourceLocation, in names: inout [String: SourceLocation], scope: String
    ) throws(ProtoSyntaxError) {
        if let previous = names[name] {
            let scopeName = scope.isEmpty ? "the root scope" : "\"\(scope)\""
            throw error(
                "\"\(name)\" is already defined in \(scopeName) (first defined at \(previous.line):\(previous.column))",
                at: location
            )
        }
        names[name] = location
    }

    // MARK: File level

    private func parseFile() throws(ProtoSyntaxError) {
        try parseSyntax()
        var topLevelNames: [String: SourceLocation] = [:]
        while current.kind != .endOfFile {
            if consumeSymbol(";") { continue }
            guard current.kind == .identifier else {
                throw error("expected a top-level declaration, found \(current.quoted)")
            }
            switch current.text {
            case "import":
                try parseImport()
            case "package":
                try parsePackage()
            case "option":
                parsed.file.options.append(try parseOptionStatement())
            case "message":
                hasDefinitions = true
                let (message, nameLocation) = try parseMessage(scope: package)
                try declare(message.name, at: nameLocation, in: &topLevelNames, scope: package)
                parsed.file.messages.append(message)
            case "enum":
                hasDefinitions = true
                let parsedEnum = try parseEnum(scope: package)
                try declare(parsedEnum.decl.name, at: parsedEnum.nameLocation, in: &topLevelNames, scope: package)
                for (name, location) in parsedEnum.valueNames {
                    try declare(name, at: location, in: &topLevelNames, scope: package)
                }
                parsed.file.enums.append(parsedEnum.decl)
            case "service":
                hasDefinitions = true
                let (service, nameLocation) = try parseService()
                try declare(service.name, at: nameLocation, in: &topLevelNames, scope: package)
                parsed.file.services.append(service)
            case "extend":
                throw error(
                    "\"extend\" is not supported: proto3 allows extensions only to declare custom options, "
                        + "which protogen does not generate"
                )
            case "syntax", "edition":
                throw error("\"\(current.text)\" must be the first statement of the file")
            default:
                throw error(
                    "expected a top-level declaration (message, enum, service, import, package, option), "
                        + "found \(current.quoted)"
                )
            }
        }
    }

    private func parseSyntax() throws(ProtoSyntaxError) {
        if current.isIdentifier("edition") {
            throw error("editions are not supported; protogen reads proto3 files (syntax = \"proto3\";)")
        }
        guard current.isIdentifier("syntax") else {
            throw error(
                "missing syntax = \"proto3\"; (a file without it is proto2, which protogen does not support)"
            )
        }
        advance()
        try expectSymbol("=", "after \"syntax\"")
        let (bytes, location) = try parseString("the syntax name")
        let syntax = String(decoding: bytes, as: UTF8.self)
        guard syntax == "proto3" else {
            if syntax == "proto2" {
                throw error("proto2 is not supported; protogen reads proto3 files only", at: location)
            }
            throw error("unknown syntax \"\(syntax)\"; expected \"proto3\"", at: location)
        }
        try expectSymbol(";", "after the syntax statement")
    }

    private func parseImport() throws(ProtoSyntaxError) {
        advance()
        var kind = ParsedFile.Import.Kind.plain
        if current.isIdentifier("public") {
            kind = .public
            advance()
        } else if current.isIdentifier("weak") {
            kind = .weak
            advance()
        }
        let (bytes, location) = try parseString("the imported file name")
        let importPath = String(decoding: bytes, as: UTF8.self)
        guard !importPath.isEmpty, Array(importPath.utf8) == bytes else {
            throw error("the import path must be non-empty UTF-8", at: location)
        }
        try expectSymbol(";", "after the import statement")
        parsed.imports.append(ParsedFile.Import(path: importPath, kind: kind, location: location))
        parsed.file.imports.append(importPath)
    }

    private func parsePackage() throws(ProtoSyntaxError) {
        let keyword = advance()
        guard parsed.file.package.isEmpty else {
            throw error("multiple package declarations", at: keyword.location)
        }
        guard !hasDefinitions else {
            throw error("the package must be declared before any message, enum or service", at: keyword.location)
        }
        let (name, _) = try parseFullIdent("the package name")
        try expectSymbol(";", "after the package name")
        package = name
        parsed.file.package = name
    }
}
