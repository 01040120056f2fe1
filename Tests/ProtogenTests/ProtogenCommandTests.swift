import Foundation
import ProtogenKit
import Testing

/// The `protogen` executable, run as CI runs it: writing output, `--check`, and error reporting.
@Suite struct ProtogenCommandTests {
    /// The built `protogen`, next to this test bundle's resources in the build directory.
    private var protogen: String {
        get throws {
            let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("protogen").path
            try #require(FileManager.default.isExecutableFile(atPath: path), "build protogen first: \(path)")
            return path
        }
    }

    @Test func writesThenChecksThenDetectsStaleOutput() throws {
        let valid = try ProtoTestSupport.fixtures.appendingPathComponent("valid").path
        try ProtoTestSupport.withProtoTree(["out/keep.txt": "not ours"]) { root in
            let out = root + "/out/nested"
            let arguments = [
                "--proto_path", valid, "-I", ProtoTestSupport.productProtos, "--swift_out", out, "sample/everything.proto",
            ]
            let write = try ProtoTestSupport.run(try protogen, arguments)
            #expect(write.status == 0, "\(write.stderr)")
            let expected = try SwiftGenerator(
                files: ProtoParser(includePaths: [valid, ProtoTestSupport.productProtos]).parse(files: ["sample/everything.proto"])
            ).generate()
            #expect(!expected.isEmpty)
            for file in expected {
                let written = try String(contentsOfFile: out + "/" + file.name, encoding: .utf8)
                #expect(written == file.contents, "\(file.name)")
            }
            #expect(FileManager.default.fileExists(atPath: root + "/out/keep.txt"), "protogen removes nothing")

            let fresh = try ProtoTestSupport.run(try protogen, arguments + ["--check"])
            #expect(fresh.status == 0, "\(fresh.stderr)")

            let stale = out + "/" + expected[0].name
            try Data("// edited by hand\n".utf8).write(to: URL(fileURLWithPath: stale))
            let check = try ProtoTestSupport.run(try protogen, arguments + ["--check"])
            #expect(check.status == 1)
            #expect(check.stderr.contains(stale))
            let afterCheck = try String(contentsOfFile: stale, encoding: .utf8)
            #expect(afterCheck == "// edited by hand\n", "--check writes nothing")
        }
    }

    @Test func rpcOutWritesTypedServicesApartAndCheckCoversThem() throws {
        let valid = try ProtoTestSupport.fixtures.appendingPathComponent("valid").path
        try ProtoTestSupport.withProtoTree([:]) { root in
            let services = root + "/services"
            let arguments = [
                "--proto_path", valid, "-I", ProtoTestSupport.productProtos, "--swift_out", root + "/messages",
                "--rpc_out", services, "--messages_module", "SampleMessages", "sample/everything.proto",
            ]
            let write = try ProtoTestSupport.run(try protogen, arguments)
            #expect(write.status == 0, "\(write.stderr)")
            let parsed = try ProtoParser(includePaths: [valid, ProtoTestSupport.productProtos])
                .parse(files: ["sample/everything.proto"])
            let expected = try RPCGenerator(files: parsed, messagesModule: "SampleMessages").generate()
            #expect(expected.map(\.name) == ["sample_everything.rpc.swift"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: services) == ["sample_everything.rpc.swift"])
            let written = try String(contentsOfFile: services + "/sample_everything.rpc.swift", encoding: .utf8)
            #expect(written == expected.first?.contents)

            #expect(try ProtoTestSupport.run(try protogen, arguments + ["--check"]).status == 0)
            let stale = services + "/sample_everything.rpc.swift"
            try Data("// edited by hand\n".utf8).write(to: URL(fileURLWithPath: stale))
            let check = try ProtoTestSupport.run(try protogen, arguments + ["--check"])
            #expect(check.status == 1)
            #expect(check.stderr.contains(stale), "\(check.stderr)")
        }
    }

    @Test func syntaxErrorsPrintFileLineColumnAndExit1() throws {
        let tree = ["bad/x.proto": "syntax = \"proto3\";\nmessage X { int32 a = 0; }\n"]
        try ProtoTestSupport.withProtoTree(tree) { root in
            let result = try ProtoTestSupport.run(
                try protogen, ["--proto_path", root, "--swift_out", root + "/out", root + "/bad/x.proto"]
            )
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("bad/x.proto:2:23: field number 0 is out of range"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        }
    }

    @Test func usageErrorsExit2() throws {
        let missingOut = try ProtoTestSupport.run(try protogen, ["--proto_path", "/tmp", "a.proto"])
        #expect(missingOut.status == 2)
        #expect(missingOut.stderr.contains("missing --swift_out"))
        let unknown = try ProtoTestSupport.run(try protogen, ["--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option --bogus"))
        let moduleWithoutRPC = try ProtoTestSupport.run(
            try protogen, ["--proto_path", "/tmp", "--swift_out", "/tmp/out", "--messages_module", "M", "a.proto"])
        #expect(moduleWithoutRPC.status == 2)
        #expect(moduleWithoutRPC.stderr.contains("--messages_module needs --rpc_out"))
    }
}
