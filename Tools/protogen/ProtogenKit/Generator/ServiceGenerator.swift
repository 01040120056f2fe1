/// A service becomes data the RPC layer builds on: a namespace enum with the service descriptor and, per method,
/// a `ProtoRPCMethod` enum naming its input and output types and carrying its descriptor. No transport code.
struct ServiceGenerator {
    let decl: ServiceDecl
    let swiftName: String
    let context: GeneratorContext

    func generate(_ out: inout CodeWriter) throws {
        out.docComment(decl.comments)
        try out.block("public enum \(swiftName)") { out in
            let methodNames = decl.methods.map { Naming.escaped($0.name) }
            out.line("/// The service's full name and every method, for routers and reflection.")
            out.line("public static let descriptor = ProtoServiceDescriptor(")
            out.line("    fullName: \(Naming.stringLiteral(decl.fullName)),")
            out.line("    methods: [\(methodNames.map { "Method.\($0).descriptor" }.joined(separator: ", "))]")
            out.line(")")
            out.line()
            out.line("/// One type per RPC method, for generic clients and servers.")
            try out.block("public enum Method") { out in
                for (method, name) in zip(decl.methods, methodNames) {
                    out.docComment(method.comments)
                    try out.block("public enum \(name): ProtoRPCMethod") { out in
                        out.line("public typealias Input = \(try context.swiftName(method.inputType))")
                        out.line("public typealias Output = \(try context.swiftName(method.outputType))")
                        out.line("public static let descriptor = ProtoMethodDescriptor(")
                        out.line("    name: \(Naming.stringLiteral(method.name)),")
                        out.line("    path: \(Naming.stringLiteral("/\(decl.fullName)/\(method.name)")),")
                        out.line("    inputType: \(Naming.stringLiteral(method.inputType)),")
                        out.line("    outputType: \(Naming.stringLiteral(method.outputType)),")
                        out.line("    clientStreaming: \(method.clientStreaming),")
                        out.line("    serverStreaming: \(method.serverStreaming)")
                        out.line(")")
                    }
                }
            }
        }
    }
}
