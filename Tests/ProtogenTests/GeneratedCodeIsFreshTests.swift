import Foundation
import ProtogenKit
import Testing

/// The committed `Sources/FlowMessages` and `Sources/FlowServices` are exactly what protogen makes of `Protos/`
/// today.
///
/// Regenerate with:
/// `swift run protogen --proto_path Protos --swift_out Sources/FlowMessages --registry FlowMessagesRegistry \
///  --rpc_out Sources/FlowServices --messages_module FlowMessages $(cd Protos && find . -name '*.proto' | sort)`
@Suite struct GeneratedCodeIsFreshTests {
    private static let root = ProtoTestSupport.repositoryRoot

    private func parsedProtos() throws -> [ProtoFile] {
        let protos = Self.root.appendingPathComponent("Protos").path
        let files = try ProtocCrossCheckTests.protoFiles(under: protos)
        try #require(!files.isEmpty, "no .proto files under \(protos)")
        return try ProtoParser(includePaths: [protos]).parse(files: files)
    }

    @Test func flowMessagesMatchAFreshGeneration() throws {
        let generated = try SwiftGenerator(files: parsedProtos(), registryName: "FlowMessagesRegistry").generate()
        expectCommitted(generated, in: Self.root.appendingPathComponent("Sources/FlowMessages"))
    }

    @Test func flowServicesMatchAFreshGeneration() throws {
        let generated = try RPCGenerator(files: parsedProtos(), messagesModule: "FlowMessages").generate()
        let output = Self.root.appendingPathComponent("Sources/FlowServices")
        expectCommitted(generated, in: output)
        // A service (or file) removed from Protos/ must not leave its client behind.
        let committed = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".swift") }
        #expect(Set(committed) == Set(generated.map(\.name)), "stray or missing files in \(output.path)")
    }

    /// Records an issue per generated file that is missing from `output` or differs, naming the first stale line.
    private func expectCommitted(_ generated: [GeneratedFile], in output: URL) {
        #expect(!generated.isEmpty)
        for file in generated {
            let committedURL = output.appendingPathComponent(file.name)
            let committed = try? String(contentsOf: committedURL, encoding: .utf8)
            guard let committed else {
                Issue.record("\(committedURL.path) is missing; regenerate (see this suite's doc comment)")
                continue
            }
            if committed != file.contents {
                let committedLines = committed.split(separator: "\n", omittingEmptySubsequences: false)
                let freshLines = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
                let firstDifference = Array(zip(committedLines, freshLines)).firstIndex { $0 != $1 }
                    ?? min(committedLines.count, freshLines.count)
                let committedLine = firstDifference < committedLines.count ? committedLines[firstDifference] : "<end>"
                let freshLine = firstDifference < freshLines.count ? freshLines[firstDifference] : "<end>"
                Issue.record("""
                    \(committedURL.path) is stale from line \(firstDifference + 1):
                      committed: \(committedLine)
                      fresh:     \(freshLine)
                    regenerate (see this suite's doc comment)
                    """)
            }
        }
    }
}
