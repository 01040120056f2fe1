import Foundation
import ProtogenKit
import Testing

/// Compares protogen's AST with protoc's own descriptors of the same files, fact by fact.
///
/// protoc writes a `FileDescriptorSet` (with source info, for comments), Python's `protobuf` turns it into summary
/// lines (`Fixtures/descriptor_summary.py`), and the same lines are built here from `ProtoParser`'s result: field
/// numbers, labels, resolved types, oneofs, reserved ranges, enum values, methods and leading comments must agree.
@Suite struct ProtocCrossCheckTests {
    static let usrInclude = "/usr/include"
    static let wellKnownProto3 = [
        "any", "api", "duration", "empty", "field_mask", "source_context", "struct", "timestamp", "type", "wrappers",
    ].map { "google/protobuf/\($0).proto" }

    @Test func productProtos() throws {
        let root = ProtoTestSupport.repositoryRoot.appendingPathComponent("Protos").path
        try crossCheck(includePaths: [root], files: Self.protoFiles(under: root))
    }

    @Test func interopProtos() throws {
        let root = ProtoTestSupport.repositoryRoot.appendingPathComponent("../shared/interop/protos").standardized.path
        let files = ["grpc/testing/test.proto", "grpc/testing/messages.proto", "grpc/testing/empty.proto",
                     "grpc/health/v1/health.proto"]
        try #require(FileManager.default.fileExists(atPath: root + "/" + files[0]), "no interop protos at \(root)")
        try crossCheck(includePaths: [root], files: files)
    }

    @Test func wellKnownTypes() throws {
        try #require(
            FileManager.default.fileExists(atPath: Self.usrInclude + "/google/protobuf/any.proto"),
            "install libprotobuf-dev for /usr/include/google/protobuf/*.proto"
        )
        try crossCheck(includePaths: [Self.usrInclude], files: Self.wellKnownProto3)
    }

    @Test func everythingFixture() throws {
        let valid = try ProtoTestSupport.fixtures.appendingPathComponent("valid").path
        try crossCheck(includePaths: [valid, ProtoTestSupport.productProtos], files: ["sample/everything.proto"])
    }

    static func protoFiles(under root: String) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".proto") }.sorted()
    }

    /// Runs protoc and protogen over the same files and expects identical summaries.
    private func crossCheck(includePaths: [String], files: [String]) throws {
        let protoc = try #require(ProtoTestSupport.which("protoc"), "protoc is not installed (apt: protobuf-compiler)")
        let python = try #require(ProtoTestSupport.which("python3"), "python3 is not installed")
        let script = try ProtoTestSupport.fixtures.appendingPathComponent("descriptor_summary.py").path
        let expected: [String] = try ProtoTestSupport.withProtoTree([:]) { directory in
            let descriptorSet = directory + "/set.pb"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let arguments = includePaths.map { "-I" + $0 }
                + ["--include_imports", "--include_source_info", "--descriptor_set_out=" + descriptorSet] + files
            let protocRun = try ProtoTestSupport.run(protoc, arguments)
            try #require(protocRun.status == 0, "protoc failed: \(protocRun.stderr)")
            let summary = try ProtoTestSupport.run(python, [script, descriptorSet])
            try #require(summary.status == 0, "descriptor_summary.py failed (pip install protobuf?): \(summary.stderr)")
            return summary.stdout.split(separator: "\n").map(String.init)
        }
        let parsed = try ProtoParser(includePaths: includePaths).parse(files: files)
        let actual = Self.summary(of: parsed).sorted()
        let missing = expected.filter { !actual.contains($0) }
        let extra = actual.filter { !expected.contains($0) }
        #expect(missing.isEmpty && extra.isEmpty, """
            protogen disagrees with protoc on \(files.joined(separator: " ")):
            only protoc: \(missing.prefix(15).joined(separator: "\n  "))
            only protogen: \(extra.prefix(15).joined(separator: "\n  "))
            """)
        #expect(expected.count > files.count, "the summary should hold more than the file lines")
    }

    // MARK: The same summary lines, from protogen's AST

    static func summary(of files: [ProtoFile]) -> [String] {
        var lines: [String] = []
        for file in files {
            lines.append("file \(file.path) package=\(file.package) imports=\(file.imports.joined(separator: ","))")
            for message in file.messages { summarize(message, into: &lines) }
            for decl in file.enums { summarize(decl, into: &lines) }
            for service in file.services {
                lines.append("service \(service.fullName) doc=\(doc(service.comments))")
                for method in service.methods {
                    lines.append(
                        "method \(service.fullName).\(method.name) \(method.inputType) \(method.outputType) "
                            + "client_streaming=\(method.clientStreaming) server_streaming=\(method.serverStreaming) "
                            + "doc=\(doc(method.comments))"
                    )
                }
            }
        }
        return lines
    }

    private static func doc(_ comments: [String]) -> String { comments.joined(separator: "|") }

    private static func typeName(_ type: FieldType) -> String {
        switch type {
        case .scalar(let scalar): return scalar.rawValue
        case .message(let name): return "message:" + name
        case .enumeration(let name): return "enum:" + name
        case .map(let key, let value): return "map<\(key.rawValue),\(typeName(value))>"
        }
    }

    private static func summarize(_ message: MessageDecl, into lines: inout [String]) {
        lines.append("message \(message.fullName) doc=\(doc(message.comments))")
        for field in message.fields {
            let label: String
            switch field.label {
            case .singular: label = "singular"
            case .optional: label = "optional"
            case .repeated: label = "repeated"
            }
            let oneof = field.oneofIndex.map { message.oneofs[$0].name } ?? "-"
            lines.append(
                "field \(message.fullName).\(field.name) \(field.number) \(label) \(typeName(field.type)) "
                    + "oneof=\(oneof) doc=\(doc(field.comments))"
            )
        }
        for oneof in message.oneofs {
            lines.append("oneof \(message.fullName).\(oneof.name) doc=\(doc(oneof.comments))")
        }
        for range in message.reservedNumbers {
            lines.append("reserved \(message.fullName) \(range.lowerBound)...\(range.upperBound)")
        }
        for name in message.reservedNames { lines.append("reserved \(message.fullName) \(name)") }
        for nested in message.nestedMessages { summarize(nested, into: &lines) }
        for decl in message.nestedEnums { summarize(decl, into: &lines) }
    }

    private static func summarize(_ decl: EnumDecl, into lines: inout [String]) {
        lines.append("enum \(decl.fullName) doc=\(doc(decl.comments))")
        for value in decl.values {
            lines.append("value \(decl.fullName).\(value.name) \(value.number) doc=\(doc(value.comments))")
        }
        for range in decl.reservedNumbers {
            lines.append("reserved \(decl.fullName) \(range.lowerBound)...\(range.upperBound)")
        }
        for name in decl.reservedNames { lines.append("reserved \(decl.fullName) \(name)") }
    }
}
