import Foundation
import ProtogenKit
import Testing

/// Every rejected input names the exact `file:line:col` and says what is wrong.
@Suite struct ParserErrorTests {
    /// A file body after `syntax = "proto3";\n` (so line 2 is the body's first line), the expected position and a
    /// phrase the message must contain.
    struct Case: CustomTestStringConvertible, Sendable {
        var source: String
        var location: String
        var phrase: String
        var withSyntax = true
        var testDescription: String { phrase }
    }

    static let cases: [Case] = [
        // Syntax line
        Case(source: "message A {}", location: "1:1", phrase: "missing syntax", withSyntax: false),
        Case(source: "syntax = \"proto2\";", location: "1:10", phrase: "proto2 is not supported", withSyntax: false),
        Case(source: "syntax = \"proto4\";", location: "1:10", phrase: "unknown syntax", withSyntax: false),
        Case(source: "edition = \"2023\";", location: "1:1", phrase: "editions are not supported", withSyntax: false),
        Case(source: "syntax = proto3;", location: "1:10", phrase: "expected the syntax name", withSyntax: false),
        Case(source: "syntax = \"proto3\"", location: "1:18", phrase: "expected \";\"", withSyntax: false),
        // Lexical
        Case(source: "message A { int32 x = 1; } @", location: "2:28", phrase: "unexpected character '@'"),
        Case(
            source: "message A {\n  string s = 1 [json_name = \"abc\n\"];\n}",
            location: "3:29", phrase: "cannot cross line"
        ),
        Case(source: "option x = \"\\q\";", location: "2:13", phrase: "invalid escape sequence"),
        Case(source: "option x = \"\\u12\";", location: "2:13", phrase: "invalid Unicode escape"),
        Case(source: "option x = \"\\uD800\";", location: "2:13", phrase: "invalid Unicode escape"),
        Case(source: "option x = \"\\x\";", location: "2:13", phrase: "must be followed by hex digits"),
        Case(source: "option x = 0x;", location: "2:12", phrase: "must be followed by hex digits"),
        Case(source: "option x = 1e;", location: "2:12", phrase: "exponent"),
        Case(source: "option x = 09;", location: "2:12", phrase: "invalid digit"),
        Case(source: "option x = 12abc;", location: "2:14", phrase: "need space between number"),
        Case(source: "/* never closed\nmessage A {}", location: "2:1", phrase: "unterminated block comment"),
        Case(source: "option x = 'open", location: "2:12", phrase: "unterminated string literal"),
        // Structure
        Case(source: "message A {", location: "2:12", phrase: "expected \"}\" to close message \"A\""),
        Case(source: "message A { int32 x = 1 }", location: "2:25", phrase: "expected \";\" after the field"),
        Case(source: "message A { int32 = 1; }", location: "2:19", phrase: "expected a field name"),
        Case(source: "message { }", location: "2:9", phrase: "expected a message name"),
        Case(source: "package a; package b;", location: "2:12", phrase: "multiple package"),
        Case(source: "message A {} package a;", location: "2:14", phrase: "before any message"),
        Case(source: "syntax = \"proto3\";", location: "2:1", phrase: "must be the first statement"),
        Case(source: "foo bar;", location: "2:1", phrase: "expected a top-level declaration"),
        Case(source: "import public;", location: "2:14", phrase: "the imported file name"),
        // proto2-only and unsupported constructs
        Case(
            source: "message A { required int32 x = 1; }",
            location: "2:13", phrase: "required fields are not allowed"
        ),
        Case(source: "message A { extensions 100 to 200; }", location: "2:13", phrase: "extension ranges"),
        Case(
            source: "message A {}\nextend A { int32 y = 10; }",
            location: "3:1", phrase: "\"extend\" is not supported"
        ),
        Case(source: "message A { extend B {} }", location: "2:13", phrase: "\"extend\" is not supported"),
        Case(source: "message A { optional group G = 1 {} }", location: "2:22", phrase: "groups are not supported"),
        Case(source: "message A { int32 x = 1 [default = 5]; }", location: "2:26", phrase: "explicit default values"),
        // Field numbers
        Case(source: "message A { int32 x = 0; }", location: "2:23", phrase: "field number 0 is out of range"),
        Case(source: "message A { int32 x = 536870912; }", location: "2:23", phrase: "out of range"),
        Case(source: "message A { int32 x = -1; }", location: "2:23", phrase: "must be positive"),
        Case(source: "message A { int32 x = 99999999999999999999; }", location: "2:23", phrase: "out of range"),
        Case(source: "message A { int32 x = 19000; }", location: "2:23", phrase: "19000 through 19999"),
        Case(source: "message A { int32 x = 19999; }", location: "2:23", phrase: "19000 through 19999"),
        Case(
            source: "message A {\n  int32 x = 1;\n  int32 y = 1;\n}",
            location: "4:13", phrase: "field number 1 has already been used in \"A\" by field \"x\""
        ),
        Case(
            source: "message A {\n  int32 x = 1;\n  string x = 2;\n}",
            location: "4:10", phrase: "\"x\" is already defined in \"A\""
        ),
        Case(source: "message A { int32 x = 1; message x {} }", location: "2:34", phrase: "\"x\" is already defined"),
        // Reserved
        Case(
            source: "message A { reserved 2, 5 to 9; int32 x = 7; }",
            location: "2:43", phrase: "uses reserved number 7"
        ),
        Case(
            source: "message A { reserved 10 to max; int32 x = 536870911; }",
            location: "2:43", phrase: "reserved number"
        ),
        Case(
            source: "message A { reserved \"x\"; int32 x = 1; }",
            location: "2:33", phrase: "field name \"x\" is reserved"
        ),
        Case(source: "message A { reserved x; }", location: "2:22", phrase: "must be string literals"),
        Case(source: "message A { reserved 5 to 2; }", location: "2:22", phrase: "ends before it starts"),
        Case(source: "message A { reserved 1 to 5, 4; }", location: "2:30", phrase: "overlaps"),
        Case(source: "message A { reserved 0; }", location: "2:22", phrase: "out of range"),
        Case(source: "message A { reserved \"not valid\"; }", location: "2:22", phrase: "not a valid identifier"),
        // Maps
        Case(
            source: "message A { map<float, int32> m = 1; }",
            location: "2:17", phrase: "invalid map key type \"float\""
        ),
        Case(source: "message A { map<bytes, int32> m = 1; }", location: "2:17", phrase: "invalid map key type"),
        Case(source: "message A { map<A, int32> m = 1; }", location: "2:17", phrase: "invalid map key type \"A\""),
        Case(
            source: "message A { repeated map<string, int32> m = 1; }",
            location: "2:13", phrase: "cannot be repeated"
        ),
        Case(
            source: "message A { map<string, map<string, int32>> m = 1; }",
            location: "2:25", phrase: "cannot themselves be maps"
        ),
        // Oneofs
        Case(
            source: "message A { oneof o { repeated int32 x = 1; } }",
            location: "2:23", phrase: "must not have labels"
        ),
        Case(
            source: "message A { oneof o { optional int32 x = 1; } }",
            location: "2:23", phrase: "must not have labels"
        ),
        Case(
            source: "message A { oneof o { map<string, int32> m = 1; } }",
            location: "2:23", phrase: "map fields are not allowed"
        ),
        Case(source: "message A { oneof o { } }", location: "2:13", phrase: "at least one field"),
        // Options
        Case(
            source: "message A { repeated int32 x = 1 [packed = yes]; }",
            location: "2:35", phrase: "must be true or false"
        ),
        Case(source: "message A { int32 x = 1 [packed = true]; }", location: "2:26", phrase: "repeated primitive"),
        Case(
            source: "message A { repeated string x = 1 [packed = true]; }",
            location: "2:36", phrase: "repeated primitive"
        ),
        Case(source: "message A { repeated A x = 1 [packed = true]; }", location: "2:31", phrase: "repeated primitive"),
        Case(source: "option x = {a: [1, 2};", location: "2:21", phrase: "unbalanced"),
        Case(source: "option x = { a: 1", location: "2:12", phrase: "unterminated aggregate"),
        Case(source: "option x = ;", location: "2:12", phrase: "expected a value for option \"x\""),
        Case(source: "option (x = 1;", location: "2:11", phrase: "expected \")\""),
        // Enums
        Case(source: "enum E { E_ONE = 1; }", location: "2:18", phrase: "first enum value must be zero"),
        Case(source: "enum E { }", location: "2:1", phrase: "at least one value"),
        Case(source: "enum E {\n  A = 0;\n  B = 0;\n}", location: "4:7", phrase: "uses the same number 0 as \"A\""),
        Case(
            source: "enum E { option allow_alias = true; A = 0; B = 1; }",
            location: "2:17", phrase: "no two values share"
        ),
        Case(
            source: "enum E { option allow_alias = maybe; A = 0; }",
            location: "2:17", phrase: "must be true or false"
        ),
        Case(source: "enum E { A = 0; A = 1; }", location: "2:17", phrase: "\"A\" is already defined"),
        Case(source: "enum E { A = 0; } enum F { A = 0; }", location: "2:28", phrase: "\"A\" is already defined"),
        Case(source: "enum E { A = 0; B = 2147483648; }", location: "2:21", phrase: "int32 range"),
        Case(source: "enum E { A = 0; reserved 3; B = 3; }", location: "2:33", phrase: "uses reserved number 3"),
        Case(source: "enum E { A = 0; reserved \"B\"; B = 3; }", location: "2:31", phrase: "\"B\" is reserved"),
        // Services
        Case(
            source: "message M {}\nservice S { rpc A(M) returns (M); rpc A(M) returns (M); }",
            location: "3:39", phrase: "\"A\" is already defined"
        ),
        Case(source: "message M {}\nservice S { rpc A(M) returns M; }", location: "3:30", phrase: "expected \"(\""),
        Case(source: "message M {}\nservice S { rpc A(M) (M); }", location: "3:22", phrase: "expected \"returns\""),
        Case(
            source: "message M {}\nservice S { rpc A(M) returns (M) { int32 x = 1; } }",
            location: "3:36", phrase: "expected \"option\""
        ),
        Case(
            source: "message M {}\nservice S { message N {} }",
            location: "3:13", phrase: "expected \"rpc\" or \"option\""
        ),
        Case(
            source: "enum E { A = 0; }\nservice S { rpc A(E) returns (E); }",
            location: "3:19", phrase: "\"E\" is not a message type"
        ),
        // Names
        Case(source: "message A { Missing m = 1; }", location: "2:13", phrase: "\"Missing\" is not defined"),
        Case(
            source: "message A { message B {} }\nmessage C { B b = 1; }",
            location: "3:13", phrase: "\"B\" is not defined"
        ),
        Case(source: "package p;\nmessage A { .A a = 1; }", location: "3:13", phrase: "\".A\" is not defined"),
        Case(
            source: "package p;\nmessage A {}\nservice S { rpc X(A) returns (A); }\nmessage B { S s = 1; }",
            location: "5:13", phrase: "is a service, not a message or enum"
        ),
        Case(source: "package p.q;\nmessage A { p b = 1; }", location: "3:13", phrase: "\"p\" is a package"),
        Case(
            source: "package p.q;\nmessage A { p.q c = 1; }",
            location: "3:13", phrase: "is a package, not a message or enum"
        ),
        Case(source: "message A {}\nmessage A {}", location: "3:9", phrase: "\"A\" is already defined"),
        // Nesting bounds
        Case(source: String(repeating: "message M {", count: 200), location: "2:705", phrase: "nested too deeply"),
    ]

    @Test(arguments: cases)
    func rejects(_ testCase: Case) throws {
        let source = (testCase.withSyntax ? "syntax = \"proto3\";\n" : "") + testCase.source
        let error = try #require(
            try ProtoTestSupport.parseError(["test.proto": source], main: "test.proto"),
            "expected an error for: \(testCase.source)"
        )
        #expect(error.location.description == "test.proto:" + testCase.location, "\(error)")
        #expect(error.message.contains(testCase.phrase), "\(error)")
        #expect(error.description == "\(error.location.description): \(error.message)")
    }

    @Test func anErrorInAnImportedFileNamesThatFile() throws {
        let error = try #require(try ProtoTestSupport.parseError([
            "main.proto": "syntax = \"proto3\";\nimport \"sub/dep.proto\";\n",
            "sub/dep.proto": "syntax = \"proto3\";\nmessage D { int32 x = 1 }\n",
        ], main: "main.proto"))
        #expect(error.description == "sub/dep.proto:2:25: expected \";\" after the field declaration, found \"}\"")
    }

    @Test func missingFiles() throws {
        let missingImport = try #require(try ProtoTestSupport.parseError(
            ["main.proto": "syntax = \"proto3\";\n\nimport   \"nowhere.proto\";\n"], main: "main.proto"
        ))
        #expect(missingImport.location.description == "main.proto:3:10")
        #expect(missingImport.message.hasPrefix("file not found: \"nowhere.proto\""))
        let missingMain = try #require(try ProtoTestSupport.parseError([:], main: "absent.proto"))
        #expect(missingMain.location.description == "absent.proto:1:1")
        let escaping = try #require(try ProtoTestSupport.parseError(
            ["main.proto": "syntax = \"proto3\";\nimport \"../etc/passwd\";\n"], main: "main.proto"
        ))
        #expect(escaping.location.description == "main.proto:2:8")
        #expect(escaping.message.contains("invalid path"))
    }
}
