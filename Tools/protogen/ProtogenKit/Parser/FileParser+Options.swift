/// Options: `option name = value;` statements and `[name = value, ...]` field and enum-value lists.
///
/// Values are kept as their exact source text (a string keeps its quotes, an aggregate its braces), since only
/// `packed` and `allow_alias` mean anything to protogen; everything else is carried for completeness.
extension FileParser {
    /// `option optionName = constant ;`
    func parseOptionStatement() throws(ProtoSyntaxError) -> ProtoOption {
        advance()
        let option = try parseOption()
        try expectSymbol(";", "after the option value")
        return option
    }

    /// `"[" option { "," option } "]"`, the compact options after a field or enum value.
    func parseOptionList() throws(ProtoSyntaxError) -> [(option: ProtoOption, location: SourceLocation)] {
        try expectSymbol("[", "to start an option list")
        var options: [(option: ProtoOption, location: SourceLocation)] = []
        repeat {
            let location = current.location
            options.append((try parseOption(), location))
        } while consumeSymbol(",")
        try expectSymbol("]", "to close the option list")
        return options
    }

    /// `optionName "=" constant`
    private func parseOption() throws(ProtoSyntaxError) -> ProtoOption {
        let name = try parseOptionName()
        try expectSymbol("=", "after the option name \"\(name)\"")
        let value = try parseConstant(for: name)
        return ProtoOption(name: name, value: value)
    }

    /// `( ident | "(" ["."] fullIdent ")" ) { "." ( ident | "(" ["."] fullIdent ")" ) }`, kept as written.
    private func parseOptionName() throws(ProtoSyntaxError) -> String {
        var name = ""
        repeat {
            if !name.isEmpty { name += "." }
            if consumeSymbol("(") {
                let (extensionName, _) = try parseTypeName("the custom option name")
                try expectSymbol(")", "after the custom option name")
                name += "(" + extensionName + ")"
            } else {
                name += try expectIdentifier("an option name").text
            }
        } while consumeSymbol(".")
        return name
    }

    /// A constant (identifier, signed number, `inf`/`nan`, strings) or a text-format aggregate `{ ... }`.
    private func parseConstant(for name: String) throws(ProtoSyntaxError) -> String {
        let first = current
        switch first.kind {
        case .string:
            while current.kind == .string { advance() }
        case .integer, .float:
            advance()
        case .identifier:
            _ = try parseFullIdent("the option value")
        case .symbol where first.isSymbol("-") || first.isSymbol("+"):
            advance()
            guard current.kind == .integer || current.kind == .float || current.isIdentifier("inf")
                || current.isIdentifier("nan")
            else {
                throw error("expected a number after \"\(first.text)\", found \(current.quoted)")
            }
            advance()
        case .symbol where first.isSymbol("{"):
            try skipAggregate()
        default:
            throw error("expected a value for option \"\(name)\", found \(current.quoted)")
        }
        let last = tokens[index - 1]
        return String(decoding: source[first.start..<last.end], as: UTF8.self)
    }

    /// Skips a balanced text-format aggregate starting at `{`, checking that brackets nest properly.
    ///
    /// Iterative rather than recursive, so deeply nested aggregates cost no stack.
    private func skipAggregate() throws(ProtoSyntaxError) {
        var open: [(closing: Character, location: SourceLocation)] = []
        repeat {
            let token = advance()
            switch token.kind {
            case .endOfFile:
                let unclosed = open.last?.location ?? token.location
                throw error("unterminated aggregate option value (opened here)", at: unclosed)
            case .symbol:
                let symbol = token.text.first
                if symbol == "{" {
                    open.append(("}", token.location))
                } else if symbol == "<" {
                    open.append((">", token.location))
                } else if symbol == "[" {
                    open.append(("]", token.location))
                } else if symbol == "}" || symbol == ">" || symbol == "]" {
                    guard let expected = open.popLast(), expected.closing == symbol else {
                        throw error("unbalanced \"\(token.text)\" in aggregate option value", at: token.location)
                    }
                }
            default:
                break
            }
        } while !open.isEmpty
    }

    /// The value of a boolean option such as `packed` or `allow_alias`.
    func booleanOption(_ option: ProtoOption, at location: SourceLocation) throws(ProtoSyntaxError) -> Bool {
        switch option.value {
        case "true": return true
        case "false": return false
        default: throw error("option \"\(option.name)\" must be true or false, not \(option.value)", at: location)
        }
    }
}
