/// One RPC as the typed server protocol and the typed client spell it: the Swift function name, the generated
/// `Method` type, the message types, and which of the four call shapes it has.
///
/// The shapes reuse MeshRPC's own request and response types and MeshRPCProto's function names
/// (`router.serverStreaming(Method.self)`, `client.serverStreaming(Method.self, ...)`), so a provider method
/// receives and returns exactly what the router hands over: no adapter layer in the generated code.
struct RPCMethod {
    let decl: MethodDecl
    /// `EmptyCall` → `emptyCall`, escaped when a keyword.
    let functionName: String
    /// `Grpc_Testing_TestService.Method.EmptyCall`.
    let methodType: String
    let input: String
    let output: String

    init(decl: MethodDecl, serviceSwiftName: String, context: GeneratorContext) throws {
        self.decl = decl
        functionName = Naming.functionName(decl.name)
        methodType = "\(serviceSwiftName).Method.\(Naming.escaped(decl.name))"
        input = try context.swiftName(decl.inputType)
        output = try context.swiftName(decl.outputType)
    }

    /// The MeshRPCProto function for this shape, the same on `RPCRouter` and `RPCClient`.
    var callName: String {
        switch (decl.clientStreaming, decl.serverStreaming) {
        case (false, false): "unary"
        case (true, false): "clientStreaming"
        case (false, true): "serverStreaming"
        case (true, true): "bidirectionalStreaming"
        }
    }

    var serverRequest: String { (decl.clientStreaming ? "StreamingServerRequest" : "ServerRequest") + "<\(input)>" }
    var serverResponse: String {
        (decl.serverStreaming ? "StreamingServerResponse" : "ServerResponse") + "<\(output)>"
    }
    var clientRequest: String { (decl.clientStreaming ? "StreamingClientRequest" : "ClientRequest") + "<\(input)>" }
}
