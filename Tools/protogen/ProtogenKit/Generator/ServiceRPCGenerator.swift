/// One service's typed RPC code: the server protocol every implementation conforms to, the `register(in:)` that
/// routes each method to it, and the client with one function per method.
struct ServiceRPCGenerator {
    let decl: ServiceDecl
    /// The namespace enum `ServiceGenerator` emits (`Grpc_Testing_TestService`), holding the `Method` types.
    let swiftName: String
    let methods: [RPCMethod]

    init(decl: ServiceDecl, swiftName: String, context: GeneratorContext) throws {
        self.decl = decl
        self.swiftName = swiftName
        methods = try decl.methods.map { try RPCMethod(decl: $0, serviceSwiftName: swiftName, context: context) }
        var seen: [String: String] = [:]
        for method in methods {
            if let other = seen.updateValue(method.decl.name, forKey: method.functionName) {
                throw GeneratorError(
                    "\(decl.fullName): methods \(other) and \(method.decl.name) both become \(method.functionName)")
            }
        }
        for name in [providerName, clientName] where context.swiftNames.values.contains(name) {
            throw GeneratorError("\(decl.fullName): the generated \(name) clashes with a message or enum of that name")
        }
    }

    var providerName: String { swiftName + "Provider" }
    var clientName: String { swiftName + "Client" }

    /// The proto comment, a blank doc line, then what the generated type is for.
    private func typeComment(_ out: inout CodeWriter, _ role: String...) {
        out.docComment(decl.comments)
        if !decl.comments.isEmpty { out.line("///") }
        for line in role { out.line("/// \(line)") }
    }

    func provider(_ out: inout CodeWriter) {
        let role = "The server side of `\(decl.fullName)`: implement every method, then `register(in:)` a router."
        typeComment(&out, role, "To fail a call, throw an `RPCError`.")
        out.block("public protocol \(providerName): Sendable") { out in
            for (index, method) in methods.enumerated() {
                if index > 0 { out.line() }
                out.docComment(method.decl.comments)
                out.line("func \(method.functionName)(")
                out.line("    request: \(method.serverRequest),")
                out.line("    context: ServerContext")
                out.line(") async throws -> \(method.serverResponse)")
            }
        }
        out.line()
        out.block("extension \(providerName)") { out in
            out.line("/// Routes every method of `\(decl.fullName)` to this provider.")
            out.block("public func register(in router: inout RPCRouter)") { out in
                for method in methods {
                    let registration = "router.\(method.callName)(\(method.methodType).self)"
                    out.closure(registration, parameters: "request, context") { out in
                        out.line("try await self.\(method.functionName)(request: request, context: context)")
                    }
                }
            }
        }
    }

    func client(_ out: inout CodeWriter) {
        let role = "The client side of `\(decl.fullName)`: one function per method over an `RPCClient` (which brings"
        typeComment(&out, role, "the transport and interceptors); `options` carry the call's timeout.")
        out.block("public struct \(clientName): Sendable") { out in
            out.line("public let rpcClient: RPCClient")
            out.line()
            out.line("public init(_ rpcClient: RPCClient) { self.rpcClient = rpcClient }")
            for method in methods {
                out.line()
                clientFunction(method, &out)
            }
        }
    }

    private func clientFunction(_ method: RPCMethod, _ out: inout CodeWriter) {
        out.docComment(method.decl.comments)
        let arguments = "\(method.methodType).self, request, options: options"
        if method.decl.serverStreaming {
            out.line("public func \(method.functionName)<Result: Sendable>(")
            out.line("    _ request: \(method.clientRequest),")
            out.line("    options: CallOptions = .defaults,")
            let response = "StreamingClientResponse<\(method.output)>"
            out.line("    onResponse: @escaping @Sendable (\(response)) async throws -> Result")
            out.block(") async throws -> Result") { out in
                out.line("try await rpcClient.\(method.callName)(")
                out.line("    \(arguments), onResponse: onResponse)")
            }
        } else {
            out.line("public func \(method.functionName)(")
            out.line("    _ request: \(method.clientRequest),")
            out.line("    options: CallOptions = .defaults")
            out.block(") async throws -> ClientResponse<\(method.output)>") { out in
                out.line("try await rpcClient.\(method.callName)(")
                out.line("    \(arguments))")
            }
        }
    }
}
