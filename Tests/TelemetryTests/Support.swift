import Foundation
import Testing

/// Paths and processes shared by the telemetry tests.
enum Support {
    static let pythonDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("python/telemetry")

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("telemetry-\(UUID().uuidString)-\(name)").path
    }

    /// Runs a program to completion with optional stdin; returns exit status and stdout+stderr.
    ///
    /// Output goes through a file, not a pipe, so a grandchild holding the descriptor cannot stall the read.
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let outputPath = temporaryPath("output")
        let inputPath = temporaryPath("input")
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        FileManager.default.createFile(atPath: inputPath, contents: Data((input ?? "").utf8))
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: inputPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        try process.run()
        process.waitUntilExit()
        try output.close()
        return (process.terminationStatus, try String(contentsOfFile: outputPath, encoding: .utf8))
    }

    /// Validates a JSON-lines span file with Python `jsonschema` against zipkin2-api.yaml's Span schema.
    static func validateSpans(at path: String) throws -> Int {
        let result = try run(["python3", pythonDirectory.appendingPathComponent("validate_spans.py").path, path])
        #expect(result.status == 0, "\(result.output)")
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
