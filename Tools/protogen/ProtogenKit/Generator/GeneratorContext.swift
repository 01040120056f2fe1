/// What every file's generation needs to know about all files: Swift names of all types, declarations by full
/// name, and which message fields close a reference cycle (and so must be boxed).
struct GeneratorContext {
    var swiftNames: [String: String] = [:]
    var messages: [String: MessageDecl] = [:]
    var enums: [String: EnumDecl] = [:]
    var allMessageNames: [String] = []
    /// `messageFullName` + field number of singular message fields whose type leads back to the message.
    var boxedFields: Set<FieldKey> = []

    struct FieldKey: Hashable {
        var message: String
        var number: Int32
    }

    init(files: [ProtoFile]) throws {
        for file in files {
            let prefix = Naming.typePrefix(package: file.package)
            for message in file.messages { register(message, swiftName: prefix + message.name) }
            for decl in file.enums { register(decl, swiftName: prefix + decl.name) }
        }
        try findCycles()
    }

    private mutating func register(_ message: MessageDecl, swiftName: String) {
        swiftNames[message.fullName] = swiftName
        messages[message.fullName] = message
        allMessageNames.append(message.fullName)
        for nested in message.nestedMessages {
            register(nested, swiftName: swiftName + "." + Self.nestedTypeName(nested.name))
        }
        for nested in message.nestedEnums {
            register(nested, swiftName: swiftName + "." + Self.nestedTypeName(nested.name))
        }
    }

    private mutating func register(_ decl: EnumDecl, swiftName: String) {
        swiftNames[decl.fullName] = swiftName
        enums[decl.fullName] = decl
    }

    static func nestedTypeName(_ name: String) -> String {
        Naming.reservedTypeNames.contains(name) ? name + "Message" : name
    }

    func swiftName(_ fullName: String) throws -> String {
        guard let name = swiftNames[fullName] else {
            throw GeneratorError("type \(fullName) is referenced but not among the files given to the generator")
        }
        return name
    }

    /// The default of an enum as a Swift expression: its value numbered 0 (`.unspecified`).
    func enumDefault(_ fullName: String) -> String {
        guard let decl = enums[fullName], let swift = swiftNames[fullName] else { return "\(fullName)()" }
        let names = Naming.enumCaseNames(decl)
        guard let index = decl.values.firstIndex(where: { $0.number == 0 }) else { return "\(swift)()" }
        return "\(swift).\(names[index])"
    }

    /// The message types a message holds inline: singular (and oneof) message fields. Arrays and dictionaries
    /// already live on the heap, so they never make a value type infinitely large.
    private func inlineTargets(_ message: MessageDecl) -> [(number: Int32, target: String)] {
        message.fields.compactMap { field in
            guard field.label != .repeated, case .message(let target) = field.type else { return nil }
            return (field.number, target)
        }
    }

    /// Marks each inline field whose target can reach the containing message again.
    private mutating func findCycles() throws {
        for name in allMessageNames {
            let message = messages[name]!
            for (number, target) in inlineTargets(message) {
                guard messages[target] != nil else {
                    throw GeneratorError("\(name): field \(number) refers to unknown message \(target)")
                }
                if target == name || reaches(from: target, to: name) {
                    boxedFields.insert(FieldKey(message: name, number: number))
                }
            }
        }
    }

    private func reaches(from start: String, to goal: String) -> Bool {
        var seen: Set<String> = [start]
        var stack = [start]
        while let current = stack.popLast() {
            guard let message = messages[current] else { continue }
            for (_, target) in inlineTargets(message) {
                if target == goal { return true }
                if seen.insert(target).inserted { stack.append(target) }
            }
        }
        return false
    }
}
