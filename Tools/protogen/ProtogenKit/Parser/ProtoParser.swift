#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses proto3 files and everything they import, and resolves every type reference.
///
/// Works like protoc: files are named relative to an include path, imports are searched in the include paths in
/// order, each file is parsed once however often it is imported, and an import cycle is an error. The result
/// lists dependencies before the files that import them.
public struct ProtoParser: Sendable {
    /// Directories searched, in order, for the files to parse and for their imports.
    public var includePaths: [String]

    /// Longest import chain followed before giving up, so a hostile chain of files cannot exhaust the stack.
    static let maxImportDepth = 256
    /// Largest file accepted; real .proto files are a few hundred KiB at most.
    static let maxFileSize = 16 << 20

    public init(includePaths: [String]) {
        self.includePaths = includePaths
    }

    /// Parses `files` (paths relative to an include path) and their transitive imports.
    ///
    /// - Returns: every file, each once, dependencies first, with type references fully qualified.
    /// - Throws: `ProtoSyntaxError` for the first problem found, located as `file:line:col`.
    public func parse(files: [String]) throws -> [ProtoFile] {
        var loader = Loader(includePaths: includePaths)
        for file in files {
            try loader.load(file, importedFrom: nil)
        }
        let parsedFiles = loader.order.compactMap { loader.parsed[$0] }
        let resolver = try TypeResolver(files: parsedFiles)
        var result: [ProtoFile] = []
        for parsed in parsedFiles {
            result.append(try resolver.resolve(parsed))
        }
        return result
    }
}

extension ProtoParser {
    /// Reads and parses files depth-first, remembering which are done and which are still being imported.
    private struct Loader {
        let includePaths: [String]
        var parsed: [String: ParsedFile] = [:]
        /// Paths in the order their parsing finished: every file after all of its imports.
        var order: [String] = []
        /// The chain of files whose imports are being loaded, to report cycles.
        var inProgress: [String] = []

        init(includePaths: [String]) {
            self.includePaths = includePaths
        }

        mutating func load(_ path: String, importedFrom: SourceLocation?) throws(ProtoSyntaxError) {
            let errorLocation = importedFrom ?? SourceLocation(file: path, line: 1, column: 1)
            guard let normalized = ProtoParser.normalize(path) else {
                throw ProtoSyntaxError(
                    location: errorLocation,
                    message: "invalid path \"\(path)\": use a relative path without \"..\" or empty components"
                )
            }
            if parsed[normalized] != nil { return }
            if let start = inProgress.firstIndex(of: normalized) {
                let cycle = (inProgress[start...] + [normalized]).joined(separator: " -> ")
                throw ProtoSyntaxError(location: errorLocation, message: "import cycle: \(cycle)")
            }
            guard inProgress.count < ProtoParser.maxImportDepth else {
                throw ProtoSyntaxError(
                    location: errorLocation, message: "imports nested more than \(ProtoParser.maxImportDepth) deep"
                )
            }
            let source = try read(normalized, errorLocation: errorLocation)
            inProgress.append(normalized)
            let file = try FileParser.parse(source: source, path: normalized)
            for anImport in file.imports {
                try load(anImport.path, importedFrom: anImport.location)
            }
            inProgress.removeLast()
            parsed[normalized] = file
            order.append(normalized)
        }

        private func read(_ path: String, errorLocation: SourceLocation) throws(ProtoSyntaxError) -> [UInt8] {
            for root in includePaths {
                let candidate = root.hasSuffix("/") ? root + path : root + "/" + path
                var isDirectory = false
                guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory),
                    !isDirectory
                else { continue }
                guard let data = FileManager.default.contents(atPath: candidate) else {
                    throw ProtoSyntaxError(location: errorLocation, message: "cannot read \"\(candidate)\"")
                }
                guard data.count <= ProtoParser.maxFileSize else {
                    throw ProtoSyntaxError(
                        location: errorLocation,
                        message: "\"\(candidate)\" is larger than \(ProtoParser.maxFileSize >> 20) MiB"
                    )
                }
                return [UInt8](data)
            }
            let searched =
                includePaths.isEmpty ? "no include paths given" : "searched " + includePaths.joined(separator: ", ")
            throw ProtoSyntaxError(location: errorLocation, message: "file not found: \"\(path)\" (\(searched))")
        }
    }

    /// `./a//b.proto` → `a/b.proto`; nil for absolute paths, `..` components or an empty path.
    static func normalize(_ path: String) -> String? {
        guard !path.hasPrefix("/") else { return nil }
        let components = path.split(separator: "/").filter { $0 != "." }
        guard !components.isEmpty, !components.contains("..") else { return nil }
        return components.joined(separator: "/")
    }
}
