/// A message becomes a `public struct` conforming to `ProtoMessage`: a property per field (nested types inside),
/// and, in an extension, the three wire hooks: `merge(from:)` (a loop with one `switch` over tags),
/// `serializedSize()` and `encode(to:)` (fields in descending number order, written back to front).
struct MessageGenerator {
    let decl: MessageDecl
    let swiftName: String
    let context: GeneratorContext
    let fields: [FieldGenerator]
    let oneofs: [OneofGenerator]

    init(decl: MessageDecl, context: GeneratorContext) throws {
        self.decl = decl
        self.context = context
        swiftName = try context.swiftName(decl.fullName)
        let fields = try decl.fields.map { try FieldGenerator(decl: $0, message: decl, context: context) }
        self.fields = fields
        oneofs = decl.oneofs.enumerated().map { index, oneof in
            OneofGenerator(decl: oneof, members: fields.filter { $0.decl.oneofIndex == index })
        }
    }

    var nested: [MessageGenerator] {
        get throws { try decl.nestedMessages.map { try MessageGenerator(decl: $0, context: context) } }
    }

    var typeName: String { swiftName.split(separator: ".").last.map(String.init) ?? swiftName }

    // MARK: The struct

    func declare(_ out: inout CodeWriter) throws {
        out.docComment(decl.comments)
        try out.block("public struct \(typeName): ProtoMessage") { out in
            out.line("public static let protoMessageName = \(Naming.stringLiteral(decl.fullName))")
            out.line()
            var declaredOneofs: Set<Int> = []
            for field in fields {
                if let index = field.decl.oneofIndex, declaredOneofs.insert(index).inserted {
                    oneofs[index].declareProperty(&out)
                    out.line()
                }
                field.declare(&out)
                out.line()
            }
            out.line("/// Fields this build does not know, kept and re-emitted on encode.")
            out.line("public var unknownFields = ProtoUnknownFields()")
            out.line()
            for oneof in oneofs {
                oneof.declareEnum(&out)
                out.line()
            }
            for nestedEnum in decl.nestedEnums {
                EnumGenerator(decl: nestedEnum, swiftName: try context.swiftName(nestedEnum.fullName)).generate(&out)
                out.line()
            }
            for message in try nested {
                try message.declare(&out)
                out.line()
            }
            out.line("public init() {}")
            declareEquality(&out)
            let stored = fields.filter { if case .explicit = $0.shape { return true } else { return false } }
            if !stored.isEmpty {
                out.line()
                for field in stored { field.declareStorage(&out) }
            }
        }
    }

    /// Only messages with floating-point fields need a hand-written `==` (bit-pattern comparison); `Hashable`
    /// stays synthesised, which is consistent because bit-equal values hash equally.
    private func declareEquality(_ out: inout CodeWriter) {
        guard fields.contains(where: \.needsBitwiseEquality) else { return }
        out.line()
        out.block("public static func == (lhs: \(typeName), rhs: \(typeName)) -> Bool") { out in
            var checks: [String] = []
            for field in fields {
                guard let stored = field.storedProperty else { continue }
                checks.append(
                    field.needsBitwiseEquality
                        ? "ProtoEquality.same(lhs.\(stored), rhs.\(stored))" : "lhs.\(stored) == rhs.\(stored)")
            }
            for oneof in oneofs { checks.append("lhs.\(oneof.property) == rhs.\(oneof.property)") }
            checks.append("lhs.unknownFields == rhs.unknownFields")
            out.line("\(checks[0])")
            for check in checks.dropFirst() { out.line("    && \(check)") }
        }
    }

    // MARK: The wire hooks

    func implement(_ out: inout CodeWriter) throws {
        let ordered = fields.sorted { $0.number < $1.number }
        out.block("extension \(swiftName)") { out in
            out.block("public mutating func merge(from reader: inout ProtoReader) throws") { out in
                out.block("while !reader.isAtEnd") { out in
                    out.line("let tag = try reader.readTag()")
                    out.switchBlock("switch tag") { out in
                        for field in ordered { field.decodeCases(&out) }
                        out.line("default: try reader.skipField(tag, preservingIn: &self.unknownFields)")
                    }
                }
            }
            out.line()
            out.block("public func serializedSize() -> Int") { out in
                if ordered.isEmpty {
                    out.line("return self.unknownFields.bytes.count")
                    return
                }
                out.line("var size = self.unknownFields.bytes.count")
                for field in ordered { field.size(&out) }
                out.line("return size")
            }
            out.line()
            out.block("public func encode(to writer: inout ProtoWriter)") { out in
                out.line("writer.writeUnknownFields(self.unknownFields)")
                for field in ordered.reversed() { field.encode(&out) }
            }
        }
        for message in try nested {
            out.line()
            try message.implement(&out)
        }
    }
}
