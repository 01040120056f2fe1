/// A `oneof` becomes an optional enum property (`var key: OneOf_Key?`) with a case per member; each member also
/// gets a plain property that reads its case (or the default) and sets the oneof to it.
struct OneofGenerator {
    let decl: OneofDecl
    let members: [FieldGenerator]

    var property: String { Naming.propertyName(decl.name) }
    var enumType: String { Naming.oneofTypeName(decl.name) }

    /// Members holding a float or double need bit-pattern equality (see `ProtoEquality`).
    var needsBitwiseEquality: Bool { members.contains { $0.value.isFloatingPoint } }

    func declareProperty(_ out: inout CodeWriter) {
        out.docComment(decl.comments)
        out.line("public var \(property): \(enumType)? = nil")
    }

    func declareEnum(_ out: inout CodeWriter) {
        out.docComment(decl.comments)
        out.block("public enum \(enumType): Hashable, Sendable") { out in
            for member in members {
                out.docComment(member.decl.comments)
                var indirect = false
                if case .oneofMember(_, _, let boxed) = member.shape { indirect = boxed }
                out.line("\(indirect ? "indirect " : "")case \(member.property)(\(member.value.swiftType))")
            }
            guard needsBitwiseEquality else { return }
            out.line()
            out.block("public static func == (lhs: \(enumType), rhs: \(enumType)) -> Bool") { out in
                out.switchBlock("switch (lhs, rhs)") { out in
                    for member in members {
                        let compare =
                            member.value.isFloatingPoint ? "ProtoEquality.same(lhs, rhs)" : "lhs == rhs"
                        out.line("case (.\(member.property)(let lhs), .\(member.property)(let rhs)): return \(compare)")
                    }
                    if members.count > 1 { out.line("default: return false") }
                }
            }
        }
    }
}
