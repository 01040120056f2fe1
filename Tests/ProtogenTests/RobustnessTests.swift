import Foundation
import ProtogenKit
import Testing

/// Hostile input — truncated files, random bytes, absurd nesting — ends in a `ProtoSyntaxError`, never a crash.
@Suite struct RobustnessTests {
    /// Parses `source` as `main.proto` next to the sample fixtures, returning whether it parsed.
    private func outcome(_ source: [UInt8], root: String) throws -> Bool {
        try Data(source).write(to: URL(fileURLWithPath: root + "/main.proto"))
        do {
            _ = try ProtoParser(includePaths: [root, ProtoTestSupport.productProtos]).parse(files: ["main.proto"])
            return true
        } catch is ProtoSyntaxError {
            return false
        }
    }

    private func withSampleTree(_ body: (String) throws -> Void) throws {
        let sample = try ProtoTestSupport.fixtures.appendingPathComponent("valid/sample")
        var tree: [String: String] = [:]
        for name in ["base.proto", "other.proto", "unused.proto"] {
            tree["sample/" + name] = try String(contentsOf: sample.appendingPathComponent(name), encoding: .utf8)
        }
        try ProtoTestSupport.withProtoTree(tree, body)
    }

    @Test func everyTruncationOfARealFileFailsCleanly() throws {
        let url = try ProtoTestSupport.fixtures.appendingPathComponent("valid/sample/everything.proto")
        let bytes = [UInt8](try Data(contentsOf: url))
        try withSampleTree { root in
            var parsedPrefixes = 0
            for length in stride(from: 0, to: bytes.count, by: 3) {
                if try outcome(Array(bytes[..<length]), root: root) { parsedPrefixes += 1 }
            }
            #expect(try outcome(bytes, root: root), "the whole file must parse")
            #expect(parsedPrefixes < bytes.count / 30, "almost every truncation must be rejected")
        }
    }

    @Test func randomBytesAndMutationsFailCleanly() throws {
        let url = try ProtoTestSupport.fixtures.appendingPathComponent("valid/sample/everything.proto")
        let original = [UInt8](try Data(contentsOf: url))
        var generator = SplitMix64(seed: 0x5EED)
        try withSampleTree { root in
            for round in 0..<300 {
                var bytes: [UInt8]
                if round % 3 == 0 {
                    bytes = (0..<Int(generator.next() % 400)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                } else {
                    bytes = original
                    for _ in 0..<(1 + Int(generator.next() % 4)) {
                        let index = Int(generator.next() % UInt64(bytes.count))
                        bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                    }
                }
                _ = try outcome(bytes, root: root)
            }
        }
    }

    @Test func deepNestingIsBoundedNotAStackOverflow() throws {
        let deepMessages = "syntax = \"proto3\";\n" + String(repeating: "message M {", count: 20_000)
        let error = try #require(try ProtoTestSupport.parseError(["test.proto": deepMessages], main: "test.proto"))
        #expect(error.message.contains("nested too deeply"))

        let deepAggregate = "syntax = \"proto3\";\noption (x) = " + String(repeating: "{a ", count: 20_000)
            + String(repeating: "}", count: 20_000) + ";"
        let file = try ProtoTestSupport.parse(deepAggregate)
        #expect(file.options.first?.value.count == 20_000 * 4)

        let unclosed = "syntax = \"proto3\";\noption (x) = " + String(repeating: "{[<", count: 10_000)
        let unclosedError = try #require(try ProtoTestSupport.parseError(["test.proto": unclosed], main: "test.proto"))
        #expect(unclosedError.message.contains("unterminated aggregate"))
    }
}

/// A small deterministic generator, so a failing input can be reproduced from the seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
