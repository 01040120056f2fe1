/// Messages: fields, maps, oneofs, reserved statements, nested types, and the checks that need only one message.
extension FileParser {
    /// What the message checks need to know about a field beyond its `FieldDecl`.
    private struct FieldPositions {
        var name: SourceLocation
        var number: SourceLocation
    }

    /// Everything a message body accumulates before it becomes a `MessageDecl`.
    private struct MessageBody {
        var fields: [FieldDecl] = []
        var positions: [FieldPositions] = []
        var oneofs: [OneofDecl] = []
        var messages: [MessageDecl] = []
        var enums: [EnumDecl] = []
        var options: [ProtoOption] = []
        var reserved = ReservedDecls()
        /// Names declared directly in the message's scope: fields, oneofs, nested types, nested enums' values.
        var names: [String: SourceLocation] = [:]
    }

    /// `message Name { ... }`; returns the declaration and the location of its name.
    func parseMessage(scope: String) throws(ProtoSyntaxError) -> (MessageDecl, SourceLocation) {
        let keyword = advance()
        let nameToken = try expectIdentifier("a message name")
        let fullName = qualified(scope, nameToken.text)
        depth += 1
        defer { depth -= 1 }
        guard depth <= FileParser.maxDepth else {
            throw error(
                "messages are nested too deeply (more than \(FileParser.maxDepth) levels)", at: keyword.location
            )
        }
        try expectSymbol("{", "after the message name")
        var body = MessageBody()
        while !consumeSymbol("}") {
            try parseMessageElement(into: &body, fullName: fullName)
        }
        try checkFields(body, fullName: fullName)
        var message = MessageDecl(
            name: nameToken.text, fullName: fullName, comments: keyword.leadingComments, fields: body.fields,
            oneofs: body.oneofs, nestedMessages: body.messages, nestedEnums: body.enums,
            reservedNumbers: body.reserved.numbers.map(\.range), reservedNames: body.reserved.names.map(\.name),
            location: keyword.location
        )
        message.options = body.options
        return (message, nameToken.location)
    }

    private func parseMessageElement(into body: inout MessageBody, fullName: String) throws(ProtoSyntaxError) {
        if consumeSymbol(";") { return }
        guard current.kind == .identifier || current.isSymbol(".") else {
            if current.kind == .endOfFile {
                throw error("expected \"}\" to close message \"\(fullName)\", found end of file")
            }
            throw error("expected a field or declaration in message \"\(fullName)\", found \(current.quoted)")
        }
        switch current.text {
        case "message":
            let (nested, nameLocation) = try parseMessage(scope: fullName)
            try declare(nested.name, at: nameLocation, in: &body.names, scope: fullName)
            body.messages.append(nested)
        case "enum":
            let nested = try parseEnum(scope: fullName)
            try declare(nested.decl.name, at: nested.nameLocation, in: &body.names, scope: fullName)
            for (name, location) in nested.valueNames {
                try declare(name, at: location, in: &body.names, scope: fullName)
            }
            body.enums.append(nested.decl)
        case "option":
            body.options.append(try parseOptionStatement())
        case "oneof":
            try parseOneof(into: &body, fullName: fullName)
        case "reserved":
            try parseReserved(into: &body.reserved, maxNumber: FileParser.maxFieldNumber, allowNegative: false)
        case "extensions":
            throw error("extension ranges are not allowed in proto3")
        case "extend":
            throw error("\"extend\" is not supported: proto3 allows extensions only to declare custom options")
        case "required":
            throw error("required fields are not allowed in proto3")
        default:
            let (field, positions) = try parseField(messageName: fullName, oneofIndex: nil)
            try declare(field.name, at: positions.name, in: &body.names, scope: fullName)
            body.fields.append(field)
            body.positions.append(positions)
        }
    }

    /// `oneof name { field... }`: members join the message's fields with `oneofIndex` set.
    private func parseOneof(into body: inout MessageBody, fullName: String) throws(ProtoSyntaxError) {
        let keyword = advance()
        let nameToken = try expectIdentifier("a oneof name")
        try declare(nameToken.text, at: nameToken.location, in: &body.names, scope: fullName)
        try expectSymbol("{", "after the oneof name")
        var oneof = OneofDecl(name: nameToken.text, comments: keyword.leadingComments, fieldNumbers: [])
        let oneofIndex = body.oneofs.count
        while !consumeSymbol("}") {
            if current.isIdentifier("option") {
                oneof.options.append(try parseOptionStatement())
                continue
            }
            if current.kind == .endOfFile {
                throw error("expected \"}\" to close oneof \"\(nameToken.text)\", found end of file")
            }
            if ["repeated", "optional", "required"].contains(where: current.isIdentifier) {
                throw error("fields in oneofs must not have labels (repeated / optional / required)")
            }
            if current.isIdentifier("map") && peekToken(1).isSymbol("<") {
                throw error("map fields are not allowed in oneofs")
            }
            let (field, positions) = try parseField(messageName: fullName, oneofIndex: oneofIndex)
            try declare(field.name, at: positions.name, in: &body.names, scope: fullName)
            oneof.fieldNumbers.append(field.number)
            body.fields.append(field)
            body.positions.append(positions)
        }
        guard !oneof.fieldNumbers.isEmpty else {
            throw error("oneof \"\(nameToken.text)\" must have at least one field", at: keyword.location)
        }
        body.oneofs.append(oneof)
    }

    /// `[ "repeated" | "optional" ] type name "=" number [ options ] ";"` or a `map<K, V>` field.
    private func parseField(
        messageName: String, oneofIndex: Int?
    ) throws(ProtoSyntaxError) -> (FieldDecl, FieldPositions) {
        let first = current
        var label = FieldLabel.singular
        if current.isIdentifier("repeated") {
            label = .repeated
            advance()
        } else if current.isIdentifier("optional") {
            label = .optional
            advance()
        }
        let type: FieldType
        let typeLocation: SourceLocation
        if current.isIdentifier("map") && peekToken(1).isSymbol("<") {
            guard label == .singular else {
                throw error("map fields cannot be repeated or optional", at: first.location)
            }
            (type, typeLocation) = try parseMapType()
        } else {
            let (typeName, location) = try parseTypeName("a field type")
            if typeName == "group" && peekToken(1).isSymbol("=") {
                throw error("groups are not supported in proto3", at: location)
            }
            type = ScalarType(rawValue: typeName).map(FieldType.scalar) ?? .message(typeName)
            typeLocation = location
        }
        let nameToken = try expectIdentifier("a field name")
        try expectSymbol("=", "after the field name \"\(nameToken.text)\"")
        let (number, numberLocation) = try parseFieldNumber()
        var options: [ProtoOption] = []
        if current.isSymbol("[") {
            for (option, location) in try parseOptionList() {
                try checkFieldOption(option, at: location, label: label, type: type, fieldLocation: first.location)
                options.append(option)
            }
        }
        try expectSymbol(";", "after the field declaration")
        if case .message = type { parsed.fieldTypeLocations[first.location] = typeLocation }
        if case .map(_, .message) = type { parsed.fieldTypeLocations[first.location] = typeLocation }
        let field = FieldDecl(
            name: nameToken.text, number: number, label: label, type: type, oneofIndex: oneofIndex, packed: false,
            options: options, comments: first.leadingComments, location: first.location
        )
        return (field, FieldPositions(name: nameToken.location, number: numberLocation))
    }

    /// `map "<" keyType "," type ">"`; returns the type and the location of the value type name.
    private func parseMapType() throws(ProtoSyntaxError) -> (FieldType, SourceLocation) {
        advance()
        advance()
        let keyToken = current
        let (keyName, _) = try parseTypeName("a map key type")
        guard let key = ScalarType(rawValue: keyName), ![.double, .float, .bytes].contains(key) else {
            throw error(
                "invalid map key type \"\(keyName)\": keys must be an integral type, bool or string",
                at: keyToken.location
            )
        }
        try expectSymbol(",", "after the map key type")
        if current.isIdentifier("map") && peekToken(1).isSymbol("<") {
            throw error("map values cannot themselves be maps")
        }
        let (valueName, valueLocation) = try parseTypeName("a map value type")
        try expectSymbol(">", "to close the map type")
        let value = ScalarType(rawValue: valueName).map(FieldType.scalar) ?? .message(valueName)
        return (.map(key: key, value: value), valueLocation)
    }

    private func parseFieldNumber() throws(ProtoSyntaxError) -> (Int32, SourceLocation) {
        let (number, location) = try parseInteger("a field number", allowNegative: false)
        guard number >= 1 && number <= FileParser.maxFieldNumber else {
            throw error("field number \(number) is out of range: it must be between 1 and 536870911", at: location)
        }
        guard !FileParser.implementationReservedNumbers.contains(number) else {
            throw error(
                "field number \(number) is in 19000 through 19999, which are reserved for the protobuf implementation",
                at: location
            )
        }
        return (Int32(number), location)
    }

    /// Checks the field options protogen understands and rejects the proto2-only `default`.
    private func checkFieldOption(
        _ option: ProtoOption, at location: SourceLocation, label: FieldLabel, type: FieldType,
        fieldLocation: SourceLocation
    ) throws(ProtoSyntaxError) {
        switch option.name {
        case "packed":
            let packed = try booleanOption(option, at: location)
            guard packed else { return }
            guard label == .repeated else {
                throw error("[packed = true] can only be specified for repeated primitive fields", at: location)
            }
            switch type {
            case .scalar(.string), .scalar(.bytes), .map:
                throw error("[packed = true] can only be specified for repeated primitive fields", at: location)
            case .message:
                parsed.packedOptionLocations[fieldLocation] = location
            case .scalar, .enumeration:
                break
            }
        case "default":
            throw error("explicit default values are not allowed in proto3", at: location)
        default:
            break
        }
    }

    /// Field numbers and names: unique, and clear of the message's reserved numbers and names.
    private func checkFields(_ body: MessageBody, fullName: String) throws(ProtoSyntaxError) {
        try body.reserved.checkOverlaps()
        var byNumber: [Int32: String] = [:]
        for (field, positions) in zip(body.fields, body.positions) {
            if let other = byNumber[field.number] {
                throw error(
                    "field number \(field.number) has already been used in \"\(fullName)\" by field \"\(other)\"",
                    at: positions.number
                )
            }
            byNumber[field.number] = field.name
            if body.reserved.numbers.contains(where: { $0.range.contains(field.number) }) {
                throw error("field \"\(field.name)\" uses reserved number \(field.number)", at: positions.number)
            }
            if body.reserved.names.contains(where: { $0.name == field.name }) {
                throw error("field name \"\(field.name)\" is reserved", at: positions.name)
            }
        }
    }
}
