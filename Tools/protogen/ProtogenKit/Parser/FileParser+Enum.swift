/// Enums: values, options (`allow_alias`), reserved statements, and the proto3 enum rules.
extension FileParser {
    /// An enum and the names its values add to the enclosing scope (protobuf scopes enum values like C++).
    struct ParsedEnum {
        var decl: EnumDecl
        var nameLocation: SourceLocation
        var valueNames: [(String, SourceLocation)]
    }

    /// `enum Name { VALUE = 0; ... }`
    func parseEnum(scope: String) throws(ProtoSyntaxError) -> ParsedEnum {
        let keyword = advance()
        let nameToken = try expectIdentifier("an enum name")
        let fullName = qualified(scope, nameToken.text)
        try expectSymbol("{", "after the enum name")
        var values: [(value: EnumValueDecl, name: SourceLocation, number: SourceLocation)] = []
        var options: [ProtoOption] = []
        var allowAlias: (value: Bool, location: SourceLocation)?
        var reserved = ReservedDecls()
        while !consumeSymbol("}") {
            if consumeSymbol(";") { continue }
            guard current.kind == .identifier else {
                if current.kind == .endOfFile {
                    throw error("expected \"}\" to close enum \"\(fullName)\", found end of file")
                }
                throw error("expected an enum value in enum \"\(fullName)\", found \(current.quoted)")
            }
            if current.isIdentifier("option") {
                let location = peekToken(1).location
                let option = try parseOptionStatement()
                if option.name == "allow_alias" {
                    allowAlias = (try booleanOption(option, at: location), location)
                }
                options.append(option)
            } else if current.isIdentifier("reserved") {
                try parseReserved(into: &reserved, maxNumber: Int64(Int32.max), allowNegative: true)
            } else {
                values.append(try parseEnumValue())
            }
        }
        guard let first = values.first else {
            throw error("enum \"\(fullName)\" must contain at least one value", at: keyword.location)
        }
        guard first.value.number == 0 else {
            throw error("the first enum value must be zero in proto3", at: first.number)
        }
        try reserved.checkOverlaps()
        try checkEnumValues(values, reserved: reserved, allowAlias: allowAlias, fullName: fullName)
        var decl = EnumDecl(
            name: nameToken.text, fullName: fullName, comments: keyword.leadingComments, values: values.map(\.value),
            allowAlias: allowAlias?.value ?? false, location: keyword.location
        )
        decl.options = options
        decl.reservedNumbers = reserved.numbers.map(\.range)
        decl.reservedNames = reserved.names.map(\.name)
        return ParsedEnum(
            decl: decl, nameLocation: nameToken.location, valueNames: values.map { ($0.value.name, $0.name) }
        )
    }

    /// `NAME "=" [ "-" ] int [ "[" options "]" ] ";"`
    private func parseEnumValue() throws(ProtoSyntaxError) -> (EnumValueDecl, SourceLocation, SourceLocation) {
        let nameToken = advance()
        try expectSymbol("=", "after the enum value name \"\(nameToken.text)\"")
        let (number, numberLocation) = try parseInteger("an enum value number", allowNegative: true)
        guard let number32 = Int32(exactly: number) else {
            throw error("enum value \(number) is out of the int32 range", at: numberLocation)
        }
        var value = EnumValueDecl(name: nameToken.text, number: number32, comments: nameToken.leadingComments)
        if current.isSymbol("[") {
            value.options = try parseOptionList().map(\.option)
        }
        try expectSymbol(";", "after the enum value")
        return (value, nameToken.location, numberLocation)
    }

    private func checkEnumValues(
        _ values: [(value: EnumValueDecl, name: SourceLocation, number: SourceLocation)], reserved: ReservedDecls,
        allowAlias: (value: Bool, location: SourceLocation)?, fullName: String
    ) throws(ProtoSyntaxError) {
        var byNumber: [Int32: String] = [:]
        var hasAlias = false
        for (value, nameLocation, numberLocation) in values {
            if let other = byNumber[value.number] {
                hasAlias = true
                if allowAlias?.value != true {
                    throw error(
                        "\"\(value.name)\" uses the same number \(value.number) as \"\(other)\" in \"\(fullName)\"; "
                            + "set option allow_alias = true; to allow aliases",
                        at: numberLocation
                    )
                }
            } else {
                byNumber[value.number] = value.name
            }
            if reserved.numbers.contains(where: { $0.range.contains(value.number) }) {
                throw error("enum value \"\(value.name)\" uses reserved number \(value.number)", at: numberLocation)
            }
            if reserved.names.contains(where: { $0.name == value.name }) {
                throw error("enum value name \"\(value.name)\" is reserved", at: nameLocation)
            }
        }
        if let allowAlias, allowAlias.value, !hasAlias {
            throw error(
                "\"\(fullName)\" sets allow_alias = true but no two values share a number; remove the option",
                at: allowAlias.location
            )
        }
    }
}
