/// `protogen`: parses proto3 files and writes the Swift code `SwiftGenerator` makes of them.
///
/// `protogen --proto_path DIR [--proto_path DIR...] --swift_out DIR [--registry NAME]
///  [--rpc_out DIR [--messages_module NAME]] [--check] FILE.proto...`
///
/// `--rpc_out` also writes, per file with services, the typed server protocols and clients over MeshRPC
/// (`RPCGenerator`); they live in their own module so the messages never depend on the RPC layer.
///
/// Files are named relative to a `--proto_path` (like protoc); a path that exists on disk inside one of them is
/// accepted too. With `--check` nothing is written: the exit status is 1 and the stale files are listed when the
/// committed output differs from a fresh generation, which is how CI proves generated code is current.
/// Dependency-free on purpose (no argument parser): it is built before anything else in the package.

import Foundation
import ProtogenKit

/// The parsed command line.
struct Options {
    var protoPaths: [String] = []
    var swiftOut: String?
    var registry: String?
    var rpcOut: String?
    var messagesModule: String?
    var check = false
    var files: [String] = []
}

/// A usage mistake: printed with the usage text, exit status 2.
struct UsageError: Error {
    var message: String
}

let usage = """
    usage: protogen --proto_path DIR [--proto_path DIR...] --swift_out DIR [--registry NAME]
                    [--rpc_out DIR [--messages_module NAME]] [--check] FILE.proto...

      --proto_path DIR, -I DIR  where to look for FILE.proto and its imports (in order; repeatable)
      --swift_out DIR           where to write the generated .swift files (created if missing)
      --registry NAME           also generate a registry type NAME listing every message
      --rpc_out DIR             where to write typed server protocols and clients (.rpc.swift) for the services
      --messages_module NAME    the module the .rpc.swift files import the messages from (--swift_out's module)
      --check                   write nothing; exit 1 listing the files that differ from a fresh generation
    """

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func parseArguments(_ arguments: [String]) throws(UsageError) -> Options {
    var options = Options()
    var index = 0
    func value(for flag: String, inline: String?) throws(UsageError) -> String {
        if let inline { return inline }
        index += 1
        guard index < arguments.count, !arguments[index].isEmpty else {
            throw UsageError(message: "\(flag) needs a value")
        }
        return arguments[index]
    }
    while index < arguments.count {
        let argument = arguments[index]
        var flag = argument
        var inline: String?
        if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
            flag = String(argument[..<equals])
            inline = String(argument[argument.index(after: equals)...])
        }
        switch flag {
        case "--proto_path", "-I": options.protoPaths.append(try value(for: flag, inline: inline))
        case "--swift_out": options.swiftOut = try value(for: flag, inline: inline)
        case "--registry": options.registry = try value(for: flag, inline: inline)
        case "--rpc_out": options.rpcOut = try value(for: flag, inline: inline)
        case "--messages_module": options.messagesModule = try value(for: flag, inline: inline)
        case "--check": options.check = true
        case "-h", "--help": throw UsageError(message: "")
        default:
            if argument.hasPrefix("-I") && argument.count > 2 {
                options.protoPaths.append(String(argument.dropFirst(2)))
            } else if argument.hasPrefix("-") {
                throw UsageError(message: "unknown option \(argument)")
            } else {
                options.files.append(argument)
            }
        }
        index += 1
    }
    guard !options.protoPaths.isEmpty else { throw UsageError(message: "missing --proto_path") }
    guard options.swiftOut != nil else { throw UsageError(message: "missing --swift_out") }
    guard options.messagesModule == nil || options.rpcOut != nil else {
        throw UsageError(message: "--messages_module needs --rpc_out")
    }
    guard !options.files.isEmpty else { throw UsageError(message: "no .proto files given") }
    return options
}

/// `Protos/fileflow/v1/common.proto` with `--proto_path Protos` → `fileflow/v1/common.proto`.
func relativeToProtoPath(_ file: String, protoPaths: [String]) -> String {
    guard FileManager.default.fileExists(atPath: file) else { return file }
    for root in protoPaths {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        let normalizedRoot = prefix.hasPrefix("./") ? String(prefix.dropFirst(2)) : prefix
        let normalizedFile = file.hasPrefix("./") ? String(file.dropFirst(2)) : file
        if normalizedFile.hasPrefix(normalizedRoot) {
            return String(normalizedFile.dropFirst(normalizedRoot.count))
        }
    }
    return file
}

/// Rejects generated names that would land outside `--swift_out`.
func outputPath(for name: String, in directory: String) -> String? {
    let components = name.split(separator: "/")
    guard !name.hasPrefix("/"), !components.isEmpty, !components.contains(".."), !components.contains(".") else {
        return nil
    }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// A failure already reported on standard error: exit status 1.
struct Reported: Error {}

/// Writes `generated` into `directory`, or with `check` only lists the paths whose contents differ.
func write(_ generated: [GeneratedFile], to directory: String, check: Bool) throws(Reported) -> [String] {
    var stale: [String] = []
    for file in generated {
        guard let path = outputPath(for: file.name, in: directory) else {
            printError("protogen: refusing to write generated file with unsafe name \"\(file.name)\"")
            throw Reported()
        }
        let contents = Data(file.contents.utf8)
        if FileManager.default.contents(atPath: path) == contents { continue }
        if check {
            stale.append(path)
            continue
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            printError("protogen: cannot write \(path): \(error)")
            throw Reported()
        }
    }
    return stale
}

func run(_ options: Options) -> Int32 {
    let files = options.files.map { relativeToProtoPath($0, protoPaths: options.protoPaths) }
    var outputs: [(directory: String, files: [GeneratedFile])] = []
    do {
        let parsed = try ProtoParser(includePaths: options.protoPaths).parse(files: files)
        let messages = try SwiftGenerator(files: parsed, registryName: options.registry).generate()
        outputs.append((options.swiftOut ?? ".", messages))
        if let rpcOut = options.rpcOut {
            outputs.append((rpcOut, try RPCGenerator(files: parsed, messagesModule: options.messagesModule).generate()))
        }
    } catch let error as ProtoSyntaxError {
        printError(error.description)
        return 1
    } catch {
        printError("protogen: \(error)")
        return 1
    }
    var stale: [String] = []
    do {
        for output in outputs { stale += try write(output.files, to: output.directory, check: options.check) }
    } catch {
        return 1
    }
    if options.check && !stale.isEmpty {
        printError("protogen: generated code is out of date; regenerate with the same command without --check:")
        for path in stale { printError("  \(path)") }
        return 1
    }
    return 0
}

do {
    exit(run(try parseArguments(Array(CommandLine.arguments.dropFirst()))))
} catch {
    if !error.message.isEmpty { printError("protogen: \(error.message)") }
    printError(usage)
    exit(error.message.isEmpty ? 0 : 2)
}
