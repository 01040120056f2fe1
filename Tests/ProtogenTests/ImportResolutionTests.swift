import Foundation
import ProtogenKit
import Testing

/// Imports: include-path search, each file parsed once, cycles, and which imported names a file may use.
@Suite struct ImportResolutionTests {
    @Test func diamondImportsParseEachFileOnceDependenciesFirst() throws {
        let root = try ProtoTestSupport.fixtures.appendingPathComponent("imports").path
        let files = try ProtoParser(includePaths: [root]).parse(files: ["diamond_top.proto", "left.proto"])
        #expect(files.map(\.path) == ["shared.proto", "left.proto", "right.proto", "diamond_top.proto"])
        #expect(files[3].messages[0].fields.map(\.type) == [.message("Left"), .message("Right")])
    }

    @Test func importCycleIsReportedAtTheImportThatClosesIt() throws {
        let root = try ProtoTestSupport.fixtures.appendingPathComponent("cycle").path
        #expect {
            try ProtoParser(includePaths: [root]).parse(files: ["cycle_a.proto"])
        } throws: { error in
            (error as? ProtoSyntaxError)?.description
                == "cycle_b.proto:2:8: import cycle: cycle_a.proto -> cycle_b.proto -> cycle_a.proto"
        }
    }

    @Test func includePathsAreSearchedInOrder() throws {
        try ProtoTestSupport.withProtoTree([
            "first/dep.proto": "syntax = \"proto3\"; message FromFirst {}",
            "second/dep.proto": "syntax = \"proto3\"; message FromSecond {}",
            "second/main.proto": "syntax = \"proto3\"; import \"dep.proto\"; message M { FromFirst f = 1; }",
        ]) { root in
            let files = try ProtoParser(includePaths: [root + "/first", root + "/second"]).parse(files: ["main.proto"])
            #expect(files.map(\.path) == ["dep.proto", "main.proto"])
            #expect(files[0].messages[0].name == "FromFirst")
        }
    }

    @Test func publicImportsReExportButPlainImportsDoNot() throws {
        let tree = [
            "leaf.proto": "syntax = \"proto3\"; package leaf; message Leaf {}",
            "reexport.proto": "syntax = \"proto3\"; import public \"leaf.proto\";",
            "plain.proto": "syntax = \"proto3\"; import \"leaf.proto\";",
            "uses_public.proto": "syntax = \"proto3\"; import \"reexport.proto\"; message U { leaf.Leaf l = 1; }",
            "uses_plain.proto": "syntax = \"proto3\";\nimport \"plain.proto\";\nmessage U { leaf.Leaf l = 1; }",
        ]
        let files = try ProtoTestSupport.parse(tree, main: "uses_public.proto")
        #expect(files.last?.messages[0].fields[0].type == .message("leaf.Leaf"))
        let error = try #require(try ProtoTestSupport.parseError(tree, main: "uses_plain.proto"))
        #expect(error.description == "uses_plain.proto:3:13: \"leaf.Leaf\" is not defined; \"leaf.Leaf\" is defined in "
            + "\"leaf.proto\", which is not imported by \"uses_plain.proto\"")
    }

    @Test func theSameNameInTwoFilesIsAnError() throws {
        let error = try #require(try ProtoTestSupport.parseError([
            "a.proto": "syntax = \"proto3\"; package p; message Dup {}",
            "b.proto": "syntax = \"proto3\";\npackage p;\nimport \"a.proto\";\nmessage Dup {}",
        ], main: "b.proto"))
        #expect(error.location.description == "b.proto:4:1")
        #expect(error.message.hasPrefix("\"p.Dup\" is already defined as a message in \"a.proto\""))
    }

    @Test func scopingFollowsProtoc() throws {
        // `B.C` finds `B` in the innermost scope (p.A.B) and then fails there, as in protoc, even though p.B.C
        // exists; the leading-dot form reaches it.
        let tree = [
            "s.proto": """
                syntax = "proto3";
                package p;
                message B { message C {} }
                message A {
                  message B {}
                  .p.B.C ok = 1;
                  B.C shadowed = 2;
                }
                """,
        ]
        let error = try #require(try ProtoTestSupport.parseError(tree, main: "s.proto"))
        #expect(error.description == "s.proto:7:3: \"B.C\" is not defined")
    }
}
