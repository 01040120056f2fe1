/// The parsed form of a set of proto3 files: what `ProtoParser` produces and `SwiftGenerator` consumes.
///
/// Names are kept as written in the source; `fullName` values are fully qualified without a
/// leading dot (`fileflow.v1.FileMetadata`), so the generator can resolve any type reference
/// without re-walking scopes. Type references in fields are resolved by the parser (after all
/// imports are loaded), so the generator never guesses whether a name is a message or an enum.

/// A source position, 1-based, for error messages of the form `file:line:col: message`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One `.proto` file after parsing and type resolution.
public struct ProtoFile: Hashable, Sendable {
    /// Path relative to the include root, as used in `import` statements (`fileflow/v1/common.proto`).
    public var path: String
    /// The `package` declaration, or "" when absent.
    public var package: String
    /// Import paths exactly as written (`google/protobuf/timestamp.proto`).
    public var imports: [String]
    /// File-level options (`option java_package = ...`); parsed, kept, otherwise ignored.
    public var options: [ProtoOption]
    public var messages: [MessageDecl]
    public var enums: [EnumDecl]
    public var services: [ServiceDecl]

    public init(
        path: String, package: String, imports: [String], options: [ProtoOption],
        messages: [MessageDecl], enums: [EnumDecl], services: [ServiceDecl]
    ) {
        self.path = path
        self.package = package
        self.imports = imports
        self.options = options
        self.messages = messages
        self.enums = enums
        self.services = services
    }
}

/// `option name = value;` — the value kept as source text (identifier, number, string or aggregate).
public struct ProtoOption: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A message, possibly nested inside another.
public struct MessageDecl: Hashable, Sendable {
    /// The simple name (`Block`).
    public var name: String
    /// Fully qualified (`fileflow.v1.FileMetadata.Block`).
    public var fullName: String
    /// Leading comment text with the comment markers stripped, one entry per line; empty when none.
    public var comments: [String]
    /// All fields in declaration order, including the members of every oneof.
    public var fields: [FieldDecl]
    /// Real oneofs (`oneof x { ... }`) in declaration order; proto3 `optional` fields do NOT
    /// appear here (they are `FieldDecl.isProto3Optional`).
    public var oneofs: [OneofDecl]
    public var nestedMessages: [MessageDecl]
    public var nestedEnums: [EnumDecl]
    /// Reserved field numbers as closed ranges (`reserved 2, 9 to 11;` → [2...2, 9...11]).
    public var reservedNumbers: [ClosedRange<Int32>]
    public var reservedNames: [String]
    public var location: SourceLocation
    /// Message options (`option deprecated = true;`), kept as written.
    public var options: [ProtoOption] = []

    public init(
        name: String, fullName: String, comments: [String], fields: [FieldDecl], oneofs: [OneofDecl],
        nestedMessages: [MessageDecl], nestedEnums: [EnumDecl], reservedNumbers: [ClosedRange<Int32>],
        reservedNames: [String], location: SourceLocation
    ) {
        self.name = name
        self.fullName = fullName
        self.comments = comments
        self.fields = fields
        self.oneofs = oneofs
        self.nestedMessages = nestedMessages
        self.nestedEnums = nestedEnums
        self.reservedNumbers = reservedNumbers
        self.reservedNames = reservedNames
        self.location = location
    }
}

public struct OneofDecl: Hashable, Sendable {
    public var name: String
    public var comments: [String]
    /// Field numbers of the members, in declaration order (they are also in `MessageDecl.fields`).
    public var fieldNumbers: [Int32]
    /// Oneof options, kept as written.
    public var options: [ProtoOption] = []

    public init(name: String, comments: [String], fieldNumbers: [Int32]) {
        self.name = name
        self.comments = comments
        self.fieldNumbers = fieldNumbers
    }
}

/// The scalar types of proto3, named as in the language guide.
public enum ScalarType: String, Hashable, Sendable, CaseIterable {
    case double, float
    case int32, int64, uint32, uint64, sint32, sint64
    case fixed32, fixed64, sfixed32, sfixed64
    case bool, string, bytes
}

/// What a field holds, with message and enum references already resolved to full names.
public indirect enum FieldType: Hashable, Sendable {
    case scalar(ScalarType)
    /// Fully qualified message name (`google.protobuf.Timestamp`).
    case message(String)
    /// Fully qualified enum name.
    case enumeration(String)
    /// `map<K, V>`: key is an integral, bool or string scalar; value is any non-map type.
    case map(key: ScalarType, value: FieldType)
}

public enum FieldLabel: Hashable, Sendable {
    /// Plain proto3 singular field (implicit presence for scalars, explicit for messages).
    case singular
    /// proto3 `optional`: explicit presence.
    case optional
    case repeated
}

public struct FieldDecl: Hashable, Sendable {
    public var name: String
    public var number: Int32
    public var label: FieldLabel
    public var type: FieldType
    /// The oneof this field belongs to (index into `MessageDecl.oneofs`), or nil.
    public var oneofIndex: Int?
    /// `[packed = false]` given explicitly; repeated numeric fields are packed otherwise.
    public var packed: Bool
    /// `[deprecated = true]` and any other field options, kept as written.
    public var options: [ProtoOption]
    public var comments: [String]
    public var location: SourceLocation

    public init(
        name: String, number: Int32, label: FieldLabel, type: FieldType, oneofIndex: Int?, packed: Bool,
        options: [ProtoOption], comments: [String], location: SourceLocation
    ) {
        self.name = name
        self.number = number
        self.label = label
        self.type = type
        self.oneofIndex = oneofIndex
        self.packed = packed
        self.options = options
        self.comments = comments
        self.location = location
    }

    /// True for proto3 `optional` fields.
    public var isProto3Optional: Bool { label == .optional }
}

public struct EnumDecl: Hashable, Sendable {
    public var name: String
    public var fullName: String
    public var comments: [String]
    /// Values in declaration order; the first is 0 in valid proto3.
    public var values: [EnumValueDecl]
    /// `option allow_alias = true;`
    public var allowAlias: Bool
    public var location: SourceLocation
    /// Enum options (`allow_alias` included), kept as written.
    public var options: [ProtoOption] = []
    /// Reserved value numbers as closed ranges (`reserved -1, 5 to max;`), like `MessageDecl.reservedNumbers`.
    public var reservedNumbers: [ClosedRange<Int32>] = []
    public var reservedNames: [String] = []

    public init(
        name: String, fullName: String, comments: [String], values: [EnumValueDecl], allowAlias: Bool,
        location: SourceLocation
    ) {
        self.name = name
        self.fullName = fullName
        self.comments = comments
        self.values = values
        self.allowAlias = allowAlias
        self.location = location
    }
}

public struct EnumValueDecl: Hashable, Sendable {
    public var name: String
    public var number: Int32
    public var comments: [String]
    /// Enum value options (`[deprecated = true]`), kept as written.
    public var options: [ProtoOption] = []

    public init(name: String, number: Int32, comments: [String]) {
        self.name = name
        self.number = number
        self.comments = comments
    }
}

public struct ServiceDecl: Hashable, Sendable {
    public var name: String
    /// Fully qualified (`fileflow.v1.MetadataService`), the gRPC path prefix.
    public var fullName: String
    public var comments: [String]
    public var methods: [MethodDecl]
    public var location: SourceLocation
    /// Service options, kept as written.
    public var options: [ProtoOption] = []

    public init(name: String, fullName: String, comments: [String], methods: [MethodDecl], location: SourceLocation) {
        self.name = name
        self.fullName = fullName
        self.comments = comments
        self.methods = methods
        self.location = location
    }
}

public struct MethodDecl: Hashable, Sendable {
    public var name: String
    /// Fully qualified input and output message names.
    public var inputType: String
    public var outputType: String
    public var clientStreaming: Bool
    public var serverStreaming: Bool
    public var comments: [String]
    public var location: SourceLocation
    /// Method options (`option idempotency_level = NO_SIDE_EFFECTS;`), kept as written.
    public var options: [ProtoOption] = []

    public init(
        name: String, inputType: String, outputType: String, clientStreaming: Bool, serverStreaming: Bool,
        comments: [String], location: SourceLocation
    ) {
        self.name = name
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
        self.comments = comments
        self.location = location
    }
}

/// A parse or resolution error, printed as `file:line:col: message`.
public struct ProtoSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
