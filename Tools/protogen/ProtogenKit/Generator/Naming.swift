/// How proto names become Swift names, following swift-protobuf so the code reads the way Swift users expect.
///
/// - Types: package components capitalised and joined by `_`, then the proto name: `fileflow.v1.FileMetadata` →
///   `Fileflow_V1_FileMetadata`; nested types nest (`Fileflow_V1_FileMetadata.Block`).
/// - Fields: lowerCamelCase with the words `id`, `url`, `http`, `https` upper-cased after the first word
///   (`file_id` → `fileID`, `user_id` → `userID`), escaped with backticks when a Swift keyword, suffixed `_p` when
///   they would clash with a `ProtoMessage` member.
/// - Enum cases: the enum's name dropped as a prefix when present (`FILE_STATUS_UPLOADED` in `FileStatus` →
///   `uploaded`), then lowerCamelCase.
enum Naming {
    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
        "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "_",
    ]

    /// Names `ProtoMessage` (or `Hashable`) already uses on every message.
    static let reservedMemberNames: Set<String> = [
        "unknownFields", "serializedSize", "serializedBytes", "serialize", "merge", "encode", "protoMessageName",
        "hash", "hashValue", "Type", "Protocol", "init", "self",
    ]

    /// Type names a nested declaration may not take as is.
    static let reservedTypeNames: Set<String> = ["Type", "Protocol", "Self", "Any"]

    static let upperCaseWords: Set<String> = ["id", "url", "http", "https"]

    /// `fileflow.v1` → `Fileflow_V1_`; "" → "".
    static func typePrefix(package: String) -> String {
        guard !package.isEmpty else { return "" }
        return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
    }

    /// `foo_bar` → `FooBar` (existing capitals kept).
    static func upperCamel(_ name: String) -> String {
        name.split(separator: "_").map { capitalized(String($0)) }.joined()
    }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }

    /// Field and oneof property names: `file_id` → `fileID`.
    static func lowerCamel(_ name: String) -> String {
        let words = name.split(separator: "_").map(String.init)
        guard let first = words.first else { return name }
        var result = first.prefix(1).lowercased() + first.dropFirst()
        for word in words.dropFirst() {
            result += upperCaseWords.contains(word.lowercased()) ? word.uppercased() : capitalized(word)
        }
        return result
    }

    /// RPC method names as Swift functions: `EmptyCall` → `emptyCall`, `URLFetch` → `urlFetch`, `get_file` →
    /// `getFile`; escaped when a keyword.
    static func functionName(_ protoName: String) -> String {
        let characters = Array(protoName)
        let leadingCapitals = characters.prefix { $0.isUppercase }.count
        // Of a leading acronym, the last capital starts the next word (`URLFetch`), unless the acronym is all.
        let lowered = leadingCapitals > 1 && leadingCapitals < characters.count ? leadingCapitals - 1 : leadingCapitals
        let name = lowerCamel(String(characters.prefix(lowered)).lowercased() + String(characters.dropFirst(lowered)))
        return escaped(name.first?.isNumber == true ? "_" + name : name)
    }

    /// The upper-camel form used after `has` / `clear`: `file_id` → `FileID`.
    static func accessorSuffix(_ name: String) -> String {
        let words = name.split(separator: "_").map(String.init)
        return words.map { upperCaseWords.contains($0.lowercased()) ? $0.uppercased() : capitalized($0) }.joined()
    }

    /// A property name for a field, escaped and de-clashed.
    static func propertyName(_ protoName: String) -> String {
        var name = lowerCamel(protoName)
        if reservedMemberNames.contains(name) { name += "_p" }
        if name.first?.isNumber == true { name = "_" + name }
        return escaped(name)
    }

    static func escaped(_ identifier: String) -> String {
        swiftKeywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// The identifier without backticks, for building derived names (`hasX`).
    static func unescaped(_ identifier: String) -> String {
        identifier.filter { $0 != "`" }
    }

    /// Enum case names for all values of `decl`, in order; the prefix is dropped only when it leaves every
    /// name valid and distinct.
    static func enumCaseNames(_ decl: EnumDecl) -> [String] {
        let prefix = decl.name.filter { $0 != "_" }.lowercased()
        func stripped(_ value: String) -> String? {
            var consumed = 0
            var matched = ""
            for character in value {
                consumed += 1
                if character == "_" { continue }
                matched.append(contentsOf: character.lowercased())
                if matched == prefix { break }
                if !prefix.hasPrefix(matched) { return nil }
            }
            guard matched == prefix else { return nil }
            let rest = value.dropFirst(consumed).drop { $0 == "_" }
            guard let first = rest.first, !first.isNumber else { return nil }
            return String(rest)
        }
        let strippedNames = decl.values.map { stripped($0.name) }
        let candidates =
            strippedNames.allSatisfy({ $0 != nil }) ? strippedNames.map { $0! } : decl.values.map(\.name)
        var names = candidates.map(enumCaseName)
        if Set(names).count != names.count {
            names = decl.values.map { enumCaseName($0.name) }
        }
        return names.map { $0 == "UNRECOGNIZED" ? "unrecognized_" : $0 }
    }

    /// `SOME_VALUE` → `someValue`.
    static func enumCaseName(_ protoName: String) -> String {
        let words = protoName.split(separator: "_").map { $0.lowercased() }
        guard let first = words.first else { return protoName }
        var result = first
        for word in words.dropFirst() {
            result += upperCaseWords.contains(word) ? word.uppercased() : capitalized(word)
        }
        if result.first?.isNumber == true { result = "_" + result }
        return escaped(result)
    }

    /// `oneof key` → the nested enum `OneOf_Key`.
    static func oneofTypeName(_ protoName: String) -> String { "OneOf_" + upperCamel(protoName) }

    /// A Swift string literal for `text`.
    static func stringLiteral(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
