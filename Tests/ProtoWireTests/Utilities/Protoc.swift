import Foundation
import Testing

/// `protoc --encode` / `--decode`: Google's own encoder and decoder as the reference our bytes must match.
enum Protoc {
    static let testsDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures").path
    static let productProtos = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protos").path

    /// Encodes protobuf text format as `type` from `file` (relative to `includePath`).
    static func encode(_ type: String, _ text: String, file: String = "features.proto", includePath: String = fixtures)
        throws -> [UInt8]
    {
        try run(["-I\(includePath)", "--encode=\(type)", file], input: Array(text.utf8))
    }

    /// Decodes `bytes` as `type` into protobuf text format.
    static func decode(
        _ type: String, _ bytes: [UInt8], file: String = "features.proto", includePath: String = fixtures
    ) throws -> String
    {
        String(decoding: try run(["-I\(includePath)", "--decode=\(type)", file], input: bytes), as: UTF8.self)
    }

    private static func run(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["protoc"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // protoc reads all input before writing, and our inputs are small: write, close, then drain.
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ProtocError(message: String(decoding: errors, as: UTF8.self))
        }
        return [UInt8](output)
    }

    struct ProtocError: Error, CustomStringConvertible {
        var message: String
        var description: String { "protoc failed: \(message)" }
    }
}

/// Hex for readable failure messages.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        .joined(separator: " ")
}
