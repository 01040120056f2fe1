import Foundation
import ProtogenKit
import Testing

/// Paths and helpers shared by the protogen suites: fixtures, throwaway proto trees, and running real tools.
enum ProtoTestSupport {
    /// `Tests/ProtogenTests/Fixtures`, copied into the test bundle.
    static var fixtures: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures missing from bundle")
        }
    }

    /// The repository root, found from this file's path (`Tests/ProtogenTests/ProtoTestSupport.swift`).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Protos/`, which also supplies `google/protobuf/timestamp.proto` to the fixtures that import it.
    static var productProtos: String { repositoryRoot.appendingPathComponent("Protos").path }

    /// Writes `files` (path relative to the root → contents) under a fresh directory and passes the directory.
    static func withProtoTree<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("protogen-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, contents) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true
            )
            try Data(contents.utf8).write(to: url)
        }
        return try body(root.path)
    }

    /// Parses `main` from a tree of in-memory files.
    static func parse(_ files: [String: String], main: String) throws -> [ProtoFile] {
        try withProtoTree(files) { root in try ProtoParser(includePaths: [root]).parse(files: [main]) }
    }

    /// Parses a single file named `test.proto`.
    static func parse(_ source: String) throws -> ProtoFile {
        let files = try parse(["test.proto": source], main: "test.proto")
        return try #require(files.last)
    }

    /// The error parsing `files` raises, or nil when it parses.
    static func parseError(_ files: [String: String], main: String) throws -> ProtoSyntaxError? {
        do {
            _ = try parse(files, main: main)
            return nil
        } catch let error as ProtoSyntaxError {
            return error
        }
    }

    /// Runs a program to completion, returning its exit status, standard output and standard error.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], currentDirectory: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        // Files rather than pipes, so a chatty child can never block on a full pipe buffer.
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("protogen-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputs) }
        let outURL = outputs.appendingPathComponent("stdout")
        let errURL = outputs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }

    /// The absolute path of a program on `PATH`, or nil.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
