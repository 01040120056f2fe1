/// One Swift source file produced by `SwiftGenerator`: a name (no directories) and its full text.
public struct GeneratedFile: Hashable, Sendable {
    public var name: String
    public var contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}

/// A problem in the input that makes Swift generation impossible (a name resolving to nothing, say).
public struct GeneratorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
