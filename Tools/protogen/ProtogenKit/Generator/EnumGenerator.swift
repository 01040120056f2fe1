/// A proto3 enum becomes an open Swift enum: a case per value, `UNRECOGNIZED(Int32)` for the rest, a total
/// `init(rawValue:)`, equality and hashing by number, and `allCases` without `UNRECOGNIZED`. Aliases
/// (`allow_alias`) become static constants equal to the first case with their number.
struct EnumGenerator {
    let decl: EnumDecl
    let swiftName: String

    func generate(_ out: inout CodeWriter) {
        let caseNames = Naming.enumCaseNames(decl)
        var firstByNumber: [Int32: String] = [:]
        var cases: [(name: String, value: EnumValueDecl)] = []
        var aliases: [(name: String, target: String, value: EnumValueDecl)] = []
        for (name, value) in zip(caseNames, decl.values) {
            if let target = firstByNumber[value.number] {
                aliases.append((name, target, value))
            } else {
                firstByNumber[value.number] = name
                cases.append((name, value))
            }
        }
        let typeName = swiftName.split(separator: ".").last.map(String.init) ?? swiftName
        out.docComment(decl.comments)
        out.block("public enum \(typeName): ProtoEnum") { out in
            for (name, value) in cases {
                out.docComment(value.comments)
                out.line("case \(name)  // = \(value.number)")
            }
            out.line("/// A number this build does not know; kept so the value survives a round trip.")
            out.line("case UNRECOGNIZED(Int32)")
            for alias in aliases {
                out.line()
                out.docComment(alias.value.comments)
                out.line("public static let \(alias.name) = \(typeName).\(alias.target)")
            }
            out.line()
            let zero = firstByNumber[0] ?? cases.first.map(\.name)
            if let zero {
                out.line("public init() { self = .\(zero) }")
            } else {
                out.line("public init() { self = .UNRECOGNIZED(0) }")
            }
            out.line()
            out.block("public init(rawValue: Int32)") { out in
                out.switchBlock("switch rawValue") { out in
                    for (name, value) in cases { out.line("case \(value.number): self = .\(name)") }
                    out.line("default: self = .UNRECOGNIZED(rawValue)")
                }
            }
            out.line()
            out.block("public var rawValue: Int32") { out in
                out.switchBlock("switch self") { out in
                    for (name, value) in cases { out.line("case .\(name): return \(value.number)") }
                    out.line("case .UNRECOGNIZED(let number): return number")
                }
            }
            out.line()
            let allCases = cases.map { "." + $0.name }.joined(separator: ", ")
            out.line("public static let allCases: [\(typeName)] = [\(allCases)]")
            out.line()
            out.line(
                "public static func == (lhs: \(typeName), rhs: \(typeName)) -> Bool { lhs.rawValue == rhs.rawValue }")
            out.line()
            out.line("public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }")
        }
    }
}
