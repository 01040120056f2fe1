/// Services: `rpc Name (stream A) returns (stream B);` with optional `{ option ...; }` bodies.
extension FileParser {
    /// `service Name { rpc ...; }`; returns the declaration and the location of its name.
    func parseService() throws(ProtoSyntaxError) -> (ServiceDecl, SourceLocation) {
        let keyword = advance()
        let nameToken = try expectIdentifier("a service name")
        let fullName = qualified(package, nameToken.text)
        try expectSymbol("{", "after the service name")
        var service = ServiceDecl(
            name: nameToken.text, fullName: fullName, comments: keyword.leadingComments, methods: [],
            location: keyword.location
        )
        var methodNames: [String: SourceLocation] = [:]
        while !consumeSymbol("}") {
            if consumeSymbol(";") { continue }
            if current.isIdentifier("option") {
                service.options.append(try parseOptionStatement())
            } else if current.isIdentifier("rpc") {
                let (method, nameLocation) = try parseMethod()
                try declare(method.name, at: nameLocation, in: &methodNames, scope: fullName)
                service.methods.append(method)
            } else if current.kind == .endOfFile {
                throw error("expected \"}\" to close service \"\(fullName)\", found end of file")
            } else {
                throw error("expected \"rpc\" or \"option\" in service \"\(fullName)\", found \(current.quoted)")
            }
        }
        return (service, nameToken.location)
    }

    private func parseMethod() throws(ProtoSyntaxError) -> (MethodDecl, SourceLocation) {
        let keyword = advance()
        let nameToken = try expectIdentifier("a method name")
        let (clientStreaming, input, inputLocation) = try parseMethodType("the request type")
        try expectKeyword("returns", "after the request type of \"\(nameToken.text)\"")
        let (serverStreaming, output, outputLocation) = try parseMethodType("the response type")
        var method = MethodDecl(
            name: nameToken.text, inputType: input, outputType: output, clientStreaming: clientStreaming,
            serverStreaming: serverStreaming, comments: keyword.leadingComments, location: keyword.location
        )
        if consumeSymbol("{") {
            while !consumeSymbol("}") {
                if consumeSymbol(";") { continue }
                guard current.isIdentifier("option") else {
                    throw error(
                        "expected \"option\" or \"}\" in the body of \"\(nameToken.text)\", found \(current.quoted)"
                    )
                }
                method.options.append(try parseOptionStatement())
            }
        } else {
            try expectSymbol(";", "or \"{\" after the method declaration")
        }
        parsed.methodTypeLocations[keyword.location] = (inputLocation, outputLocation)
        return (method, nameToken.location)
    }

    /// `"(" [ "stream" ] messageType ")"`
    private func parseMethodType(_ what: String) throws(ProtoSyntaxError) -> (Bool, String, SourceLocation) {
        try expectSymbol("(", "before \(what)")
        var streaming = false
        if current.isIdentifier("stream") && !peekToken(1).isSymbol(")") {
            streaming = true
            advance()
        }
        let (name, location) = try parseTypeName(what)
        try expectSymbol(")", "after \(what)")
        return (streaming, name, location)
    }
}
