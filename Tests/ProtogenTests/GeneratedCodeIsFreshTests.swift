import Foundation
import ProtogenKit
import Testing

/// The committed `Sources/FlowMessages` is exactly what protogen makes of `Protos/` today.
///
/// Regenerate with:
/// `swift run protogen --proto_path Protos --swift_out Sources/FlowMessages --registry FlowMessagesRegistry \
///  $(cd Protos && find . -name '*.proto' | sort)`
@Suite struct GeneratedCodeIsFreshTests {
    @Test func flowMessagesMatchAFreshGeneration() throws {
        let root = ProtoTestSupport.repositoryRoot
        let protos = root.appendingPathComponent("Protos").path
        let output = root.appendingPathComponent("Sources/FlowMessages")
        let files = try ProtocCrossCheckTests.protoFiles(under: protos)
        try #require(!files.isEmpty, "no .proto files under \(protos)")
        let parsed = try ProtoParser(includePaths: [protos]).parse(files: files)
        let generated = try SwiftGenerator(files: parsed, registryName: "FlowMessagesRegistry").generate()
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
