/// Resolves message and enum references across a set of parsed files, following protobuf's scoping rules.
///
/// A name is looked up from the innermost scope outwards (`pkg.Outer.Inner`, then `pkg.Outer`, `pkg`, the root);
/// for a dotted name only its first component is searched that way and the rest must follow from where it was
/// found, exactly as protoc does; a leading `.` means fully qualified. Only files the referring file can see
/// count: itself, its imports, and whatever those re-export through `import public`.
struct TypeResolver {
    private enum SymbolKind {
        case package, message, enumeration, service

        var isType: Bool { self == .message || self == .enumeration }
        var noun: String {
            switch self {
            case .package: return "a package"
            case .message: return "a message"
            case .enumeration: return "an enum"
            case .service: return "a service"
            }
        }
    }

    private struct Symbol {
        var kind: SymbolKind
        var file: String
        var location: SourceLocation?
    }

    private var symbols: [String: Symbol] = [:]
    private let files: [String: ParsedFile]

    /// Builds the symbol table of every file, failing on a name defined twice.
    init(files: [ParsedFile]) throws(ProtoSyntaxError) {
        self.files = Dictionary(files.map { ($0.file.path, $0) }, uniquingKeysWith: { first, _ in first })
        for parsed in files where !parsed.file.package.isEmpty {
            var prefix = ""
            for component in parsed.file.package.split(separator: ".") {
                prefix = prefix.isEmpty ? String(component) : prefix + "." + component
                if symbols[prefix] == nil {
                    symbols[prefix] = Symbol(kind: .package, file: parsed.file.path, location: nil)
                }
            }
        }
        for parsed in files {
            for message in parsed.file.messages { try define(message) }
            for decl in parsed.file.enums { try define(decl.fullName, .enumeration, at: decl.location) }
            for service in parsed.file.services { try define(service.fullName, .service, at: service.location) }
        }
    }

    private mutating func define(_ message: MessageDecl) throws(ProtoSyntaxError) {
        try define(message.fullName, .message, at: message.location)
        for nested in message.nestedMessages { try define(nested) }
        for decl in message.nestedEnums { try define(decl.fullName, .enumeration, at: decl.location) }
    }

    private mutating func define(
        _ fullName: String, _ kind: SymbolKind, at location: SourceLocation
    ) throws(ProtoSyntaxError) {
        if let existing = symbols[fullName] {
            let where_ = existing.location.map { " in \"\($0.file)\" at \($0.line):\($0.column)" } ?? ""
            throw ProtoSyntaxError(
                location: location, message: "\"\(fullName)\" is already defined as \(existing.kind.noun)\(where_)"
            )
        }
        symbols[fullName] = Symbol(kind: kind, file: location.file, location: location)
    }

    /// The file with every type reference replaced by its fully qualified message or enum name.
    func resolve(_ parsed: ParsedFile) throws(ProtoSyntaxError) -> ProtoFile {
        let context = Context(parsed: parsed, visible: visibleFiles(from: parsed))
        var file = parsed.file
        for index in file.messages.indices {
            try resolveMessage(&file.messages[index], context)
        }
        for serviceIndex in file.services.indices {
            for methodIndex in file.services[serviceIndex].methods.indices {
                try resolveMethod(&file.services[serviceIndex].methods[methodIndex], context)
            }
        }
        return file
    }

    private struct Context {
        var parsed: ParsedFile
        var visible: Set<String>
    }

    /// The file itself, its direct imports, and the `import public` closure of those.
    private func visibleFiles(from parsed: ParsedFile) -> Set<String> {
        var visible: Set<String> = [parsed.file.path]
        var pending = parsed.imports.map(\.path)
        while let path = pending.popLast() {
            guard visible.insert(path).inserted, let imported = files[path] else { continue }
            pending += imported.imports.filter { $0.kind == .public }.map(\.path)
        }
        return visible
    }

    private func resolveMessage(_ message: inout MessageDecl, _ context: Context) throws(ProtoSyntaxError) {
        for index in message.fields.indices {
            try resolveField(&message.fields[index], scope: message.fullName, context)
        }
        for index in message.nestedMessages.indices {
            try resolveMessage(&message.nestedMessages[index], context)
        }
    }

    private func resolveField(_ field: inout FieldDecl, scope: String, _ context: Context) throws(ProtoSyntaxError) {
        let location = context.parsed.fieldTypeLocations[field.location] ?? field.location
        switch field.type {
        case .message(let name):
            field.type = try resolveType(name, scope: scope, at: location, context)
        case .map(let key, .message(let name)):
            field.type = .map(key: key, value: try resolveType(name, scope: scope, at: location, context))
        case .scalar, .enumeration, .map:
            break
        }
        let packable: Bool
        switch field.type {
        case .scalar(let scalar): packable = scalar != .string && scalar != .bytes
        case .enumeration: packable = true
        case .message, .map: packable = false
        }
        if let packedLocation = context.parsed.packedOptionLocations[field.location], !packable {
            throw ProtoSyntaxError(
                location: packedLocation, message: "[packed = true] can only be specified for repeated primitive fields"
            )
        }
        let packedOff = field.options.contains { $0.name == "packed" && $0.value == "false" }
        field.packed = field.label == .repeated && packable && !packedOff
    }

    private func resolveMethod(_ method: inout MethodDecl, _ context: Context) throws(ProtoSyntaxError) {
        let locations = context.parsed.methodTypeLocations[method.location]
        let scope = context.parsed.file.package
        for isInput in [true, false] {
            let name = isInput ? method.inputType : method.outputType
            let location = (isInput ? locations?.input : locations?.output) ?? method.location
            guard case .message(let fullName) = try resolveType(name, scope: scope, at: location, context) else {
                throw ProtoSyntaxError(
                    location: location, message: "\"\(name)\" is not a message type; methods take and return messages"
                )
            }
            if isInput { method.inputType = fullName } else { method.outputType = fullName }
        }
    }

    /// Resolves `name` as seen from inside `scope` (a message's or the package's full name).
    private func resolveType(
        _ name: String, scope: String, at location: SourceLocation, _ context: Context
    ) throws(ProtoSyntaxError) -> FieldType {
        var hiddenMatch: String?
        var found = lookup(name, scope: scope, visible: context.visible, typesOnly: true, hiddenMatch: &hiddenMatch)
        if found == nil {
            // Look again accepting packages and services, to say what the name is instead of "not defined".
            found = lookup(name, scope: scope, visible: context.visible, typesOnly: false, hiddenMatch: &hiddenMatch)
        }
        guard let (fullName, symbol) = found else {
            var message = "\"\(name)\" is not defined"
            if let hiddenMatch, let symbol = symbols[hiddenMatch] {
                message += "; \"\(hiddenMatch)\" is defined in \"\(symbol.file)\", which is not imported by "
                    + "\"\(context.parsed.file.path)\""
            }
            throw ProtoSyntaxError(location: location, message: message)
        }
        switch symbol.kind {
        case .message: return .message(fullName)
        case .enumeration: return .enumeration(fullName)
        case .package, .service:
            throw ProtoSyntaxError(
                location: location, message: "\"\(name)\" is \(symbol.kind.noun), not a message or enum type"
            )
        }
    }

    /// protoc's `LookupSymbol`: search the first component of `name` outwards from `scope`, then the rest.
    private func lookup(
        _ name: String, scope: String, visible: Set<String>, typesOnly: Bool, hiddenMatch: inout String?
    ) -> (String, Symbol)? {
        func find(_ fullName: String) -> Symbol? {
            guard let symbol = symbols[fullName] else { return nil }
            if symbol.kind == .package || visible.contains(symbol.file) { return symbol }
            if hiddenMatch == nil { hiddenMatch = fullName }
            return nil
        }
        if name.hasPrefix(".") {
            let fullName = String(name.dropFirst())
            return find(fullName).map { (fullName, $0) }
        }
        let firstComponent = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        let isCompound = firstComponent.count < name.count
        var currentScope = Substring(scope)
        while true {
            let candidate = currentScope.isEmpty ? firstComponent : currentScope + "." + firstComponent
            if let symbol = find(candidate) {
                if isCompound {
                    // Every symbol kind in the table is an aggregate, so the rest must resolve from here.
                    let fullName = currentScope.isEmpty ? name : currentScope + "." + name
                    return find(fullName).map { (fullName, $0) }
                } else if symbol.kind.isType || !typesOnly {
                    return (candidate, symbol)
                }
            }
            guard let dot = currentScope.lastIndex(of: ".") else {
                if currentScope.isEmpty { return nil }
                currentScope = ""
                continue
            }
            currentScope = currentScope[..<dot]
        }
    }
}
