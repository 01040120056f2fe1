import Foundation
import ProtogenKit
import Testing

/// Each proto3 construct parses into the expected AST (field shapes the protoc cross-check cannot see: options,
/// packed, allow_alias, locations, comments of every kind).
@Suite struct ParserConstructTests {
    let files: [ProtoFile]
    let everything: ProtoFile

    init() throws {
        let valid = try ProtoTestSupport.fixtures.appendingPathComponent("valid").path
        files = try ProtoParser(includePaths: [valid, ProtoTestSupport.productProtos]).parse(files: ["./sample/everything.proto"])
        everything = try #require(files.last)
    }

    private var message: MessageDecl { everything.messages[0] }

    private func field(_ name: String) throws -> FieldDecl {
        try #require(message.fields.first { $0.name == name })
    }

    @Test func filesComeDependenciesFirstEachOnce() {
        #expect(files.map(\.path) == [
            "sample/other.proto", "sample/base.proto", "sample/unused.proto", "google/protobuf/timestamp.proto",
            "sample/everything.proto",
        ])
    }

    @Test func fileHeader() {
        #expect(everything.package == "sample.v1")
        #expect(everything.imports == ["sample/base.proto", "sample/unused.proto", "google/protobuf/timestamp.proto"])
        #expect(everything.options == [
            ProtoOption(name: "java_package", value: "\"com.example.sample\""),
            ProtoOption(name: "optimize_for", value: "SPEED"),
            ProtoOption(name: "cc_enable_arenas", value: "true"),
        ])
    }

    @Test func messageShape() {
        #expect(message.fullName == "sample.v1.Everything")
        #expect(message.comments == [" A block comment", " documenting Everything."])
        #expect(message.location == SourceLocation(file: "sample/everything.proto", line: 18, column: 1))
        #expect(message.options == [ProtoOption(name: "deprecated", value: "false")])
        #expect(message.reservedNumbers == [40...40, 41...43, 1000...536_870_911])
        #expect(message.reservedNames == ["old_name", "older_name"])
        #expect(message.nestedMessages.map(\.fullName) == ["sample.v1.Everything.Nested"])
        #expect(message.nestedEnums.map(\.fullName) == ["sample.v1.Everything.Kind"])
    }

    @Test func scalarFieldsAndComments() throws {
        let types = message.fields.prefix(15).map(\.type)
        #expect(types == ScalarType.allCases.map(FieldType.scalar))
        #expect(try field("f_double").comments == [" Every scalar type, in the language guide's order."])
        #expect(try field("f_int64").comments.isEmpty, "a trailing comment must not lead the next field")
        let string = try field("f_string")
        #expect(string.options == [
            ProtoOption(name: "json_name", value: "\"fString\""), ProtoOption(name: "deprecated", value: "true"),
        ])
        #expect(string.location == SourceLocation(file: "sample/everything.proto", line: 35, column: 3))
    }

    @Test func labelsAndPacking() throws {
        #expect(try field("packed_ints").label == .repeated)
        #expect(try field("packed_ints").packed)
        #expect(try !field("unpacked_ints").packed)
        #expect(try !field("names").packed, "strings are never packed")
        #expect(try field("kinds").packed, "repeated enums are packed")
        #expect(try !field("nested_list").packed)
        #expect(try field("maybe").label == .optional)
        #expect(try field("maybe").isProto3Optional)
        #expect(try field("maybe_kind").type == .enumeration("sample.v1.Everything.Kind"))
        #expect(try field("f_int32").label == .singular)
    }

    @Test func maps() throws {
        #expect(try field("counts").type == .map(key: .string, value: .scalar(.int64)))
        #expect(try field("by_id").type == .map(key: .int32, value: .message("sample.v1.Everything.Nested")))
        #expect(try field("flags").type == .map(key: .bool, value: .enumeration("sample.v1.Everything.Kind")))
        #expect(try field("blobs").type == .map(key: .sfixed64, value: .scalar(.bytes)))
        #expect(try field("counts").label == .singular)
    }

    @Test func oneofs() throws {
        #expect(message.oneofs.count == 1, "proto3 optional fields must not create oneofs")
        let oneof = message.oneofs[0]
        #expect(oneof.name == "greeting")
        #expect(oneof.fieldNumbers == [30, 31])
        #expect(oneof.comments == [" Exactly one way to say hello."])
        #expect(try field("text").oneofIndex == 0)
        #expect(try field("text").comments == [" Said in words."])
        #expect(try field("maybe").oneofIndex == nil)
    }

    @Test func typeResolution() throws {
        #expect(try field("base").type == .message("sample.v1.Base"))
        #expect(try field("fully_qualified_base").type == .message("sample.v1.Base"))
        #expect(try field("inner_from_import").type == .message("sample.v1.Base.Inner"))
        #expect(try field("at").type == .message("google.protobuf.Timestamp"))
        #expect(try field("deepest").type == .message("sample.v1.Everything.Nested.Deeper.Deepest"))
        let nested = message.nestedMessages[0]
        let deeper = nested.nestedMessages[0]
        #expect(deeper.fields[0].type == .enumeration("sample.v1.Everything.Nested.Deeper.Kind"))
        #expect(nested.fields.first { $0.name == "outer_kind" }?.type == .enumeration("sample.v1.Everything.Kind"))
    }

    @Test func enums() throws {
        let kind = message.nestedEnums[0]
        #expect(kind.allowAlias)
        #expect(kind.options == [ProtoOption(name: "allow_alias", value: "true")])
        #expect(kind.values.map(\.number) == [0, 1, 1, -5, 16, 15])
        #expect(kind.values[1].options == [ProtoOption(name: "deprecated", value: "true")])
        #expect(kind.reservedNumbers == [100...100, 200...300, -10 ... -8])
        #expect(kind.reservedNames == ["KIND_GONE"])
        let topLevel = try #require(everything.enums.first)
        #expect(topLevel.values.map(\.number) == [0, Int32.max, Int32.min])
        #expect(!topLevel.allowAlias)
    }

    @Test func services() throws {
        let service = try #require(everything.services.first)
        #expect(service.fullName == "sample.v1.EverythingService")
        #expect(service.comments == [" The service doc comment."])
        #expect(service.options == [ProtoOption(name: "deprecated", value: "false")])
        let shapes = service.methods.map {
            [$0.name, $0.inputType, $0.outputType, "\($0.clientStreaming)", "\($0.serverStreaming)"]
        }
        #expect(shapes == [
            ["Unary", "sample.v1.Everything", "sample.v1.Base", "false", "false"],
            ["ServerStream", "sample.v1.Everything", "sample.v1.Base", "false", "true"],
            ["ClientStream", "sample.v1.Everything", "sample.v1.Base", "true", "false"],
            ["Bidi", "sample.v1.Everything", "sample.v1.Base.Inner", "true", "true"],
        ])
        #expect(service.methods[0].comments == [" Unary."])
        #expect(service.methods[2].options == [
            ProtoOption(name: "deprecated", value: "true"),
            ProtoOption(name: "idempotency_level", value: "NO_SIDE_EFFECTS"),
        ])
    }

    @Test func customAndAggregateOptionsAreKeptAsWritten() throws {
        let valid = try ProtoTestSupport.fixtures.appendingPathComponent("valid").path
        let file = try #require(try ProtoParser(includePaths: [valid]).parse(files: ["options.proto"]).last)
        #expect(file.options.map(\.name) == ["(my.file_opt)", "(.fully.qualified).nested.path", "(my.aggregate)"])
        #expect(file.options[0].value == #""caf\xc3\xa9 \u00e9 \101\n""#)
        #expect(file.options[1].value == "-inf")
        #expect(file.options[2].value.hasPrefix("{\n  name: \"x\""))
        #expect(file.options[2].value.hasSuffix("angle < v: nan >\n}"))
        let thing = file.messages[0]
        #expect(thing.options == [ProtoOption(name: "(my.msg_opt).(deeper.ext)", value: "1.5e-3")])
        #expect(thing.fields[0].options.map(\.name) == ["(my.field_opt)", "deprecated"])
        #expect(thing.oneofs[0].options == [ProtoOption(name: "(my.oneof_opt)", value: "7")])
        #expect(file.enums[0].options == [ProtoOption(name: "(my.enum_opt)", value: "'single'")])
        #expect(file.enums[0].values[0].options.count == 2)
        #expect(file.services[0].options == [ProtoOption(name: "(my.service_opt)", value: "{ a: 1 }")])
        #expect(file.services[0].methods[0].options == [ProtoOption(name: "(my.method_opt)", value: "\"m\"")])
    }

    @Test func commentForms() throws {
        let file = try ProtoTestSupport.parse("""
            syntax = "proto3";
            // detached

            // first line
            //
            //   indented third line
            message A {
              /* single-line block */ int32 x = 1;
              /**
               * Javadoc style.
               */
              int32 y = 2;

              int32 z = 3; // trailing
              // leading for w, not trailing for z
              int32 w = 4;
            }
            """)
        let message = file.messages[0]
        #expect(message.comments == [" first line", "", "   indented third line"])
        #expect(message.fields.map(\.comments) == [
            // Like protoc: the text between the markers, the second "*" of "/**" included.
            [" single-line block"], ["*", " Javadoc style."], [], [" leading for w, not trailing for z"],
        ])
    }

    @Test func stringEscapesAndAdjacentLiterals() throws {
        let files = try ProtoTestSupport.parse(
            ["dir/a b\u{e9}.proto": "syntax = \"proto3\"; message Q {}", "main.proto": #"""
            syntax = 'proto' "3";
            import "dir/a\x20b\303\251" '.proto';
            message M { Q q = 1; }
            """#], main: "main.proto")
        #expect(files.map(\.path) == ["dir/a b\u{e9}.proto", "main.proto"])
        #expect(files[1].messages[0].fields[0].type == .message("Q"))
    }

    @Test func keywordsAreOrdinaryNamesWhereNamesAreExpected() throws {
        let file = try ProtoTestSupport.parse("""
            syntax = "proto3";
            package message.enum;
            message service { int32 message = 1; string option = 2; repeated int32 repeated = 3; int32 map = 4; }
            service rpc { rpc returns (service) returns (.message.enum.service); }
            """)
        #expect(file.messages[0].fields.map(\.name) == ["message", "option", "repeated", "map"])
        #expect(file.services[0].methods[0].name == "returns")
        #expect(file.services[0].methods[0].outputType == "message.enum.service")
    }
}
